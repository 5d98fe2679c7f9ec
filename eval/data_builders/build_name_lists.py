"""Build the compact name lists the pii check's person recognizer reads (guardrails/data/names/).

The run-time check must not load `names-dataset` (it unpickles ~1.5 GB into several GB of RAM),
so a developer runs this script once, in a throwaway virtual environment, and commits the plain
text files it writes. Nothing under offergen/ imports this script or its dependencies.

    python3.11 -m venv /tmp/names-venv
    /tmp/names-venv/bin/pip install names-dataset==3.3.1 spacy-lookups-data==1.0.5 pyyaml
    /tmp/names-venv/bin/python eval/data_builders/build_name_lists.py
    # only the knowledge-base vocabulary (no extra packages; after editing offergen/demo/data):
    .venv/bin/python eval/data_builders/build_name_lists.py --kb-only

Writes (see guardrails/data/names/README.md for the sources, licences and provenance caveat):
  first_names.txt   top first names of each country in COUNTRIES (names-dataset ranks)
  last_names.txt    top last names of each country in COUNTRIES
  common_words.txt  frequent English words that are mostly written in lower case (spaCy's
                    en_lexeme_prob table): "Grace", "Hope", "Price" in a list of names are also
                    everyday words, so the recognizer asks for more evidence before it reports one
  kb_vocabulary.txt capitalised words of the demo knowledge base (offergen/demo/data/*.yaml):
                    merchant, product and category words, never a person's name
Each file: one entry per line, most frequent first, after a few `#` comment lines.
"""

from __future__ import annotations

import argparse
import gzip
import json
import pickle
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = REPO_ROOT / "guardrails" / "data" / "names"
DEMO_DATA = REPO_ROOT / "offergen" / "demo" / "data"

# The US and the EU/EEA countries names-dataset ranks, plus GB and CH (the packs' markets).
# names-dataset has no ranks for RO, SK, LV or UA.
COUNTRIES = [
    *("US", "GB", "IE", "DE", "AT", "CH", "FR", "BE", "LU", "NL", "IT", "ES", "PT", "PL", "CZ"),
    *("HU", "HR", "SI", "GR", "BG", "SE", "DK", "NO", "FI", "EE", "LT", "IS", "MT", "CY"),
]
# Countries of origin of many of the markets' customers (Africa, the Middle East, South and East
# Asia, Latin America, Russia): their most frequent names, in Latin letters only (the copy's
# script; three letters at least: "Md", "Sk" are abbreviations). names-dataset has no ranks
# for VN or PK.
ORIGIN_COUNTRIES = [
    *("NG", "GH", "CM", "ET", "ZA", "MA", "DZ", "TN", "EG", "SA", "AE", "IQ", "SY", "JO", "LB"),
    *("IR", "AF", "TR", "IN", "BD", "CN", "HK", "TW", "KR", "JP", "PH", "ID", "MY", "RU", "RS"),
    *("AL", "BR", "MX", "CO", "AR", "JM"),
]
# Per country: the first names down to this rank, the last names down to that one (smaller ranks
# for ORIGIN_COUNTRIES). Deeper ranks of the leaked data are mostly noise (typos, words, handles).
FIRST_NAME_RANK = 3000
LAST_NAME_RANK = 4000
ORIGIN_FIRST_NAME_RANK = 1500
ORIGIN_LAST_NAME_RANK = 1500
LATIN = re.compile(r"^[A-Za-z\u00c0-\u024f\u1e00-\u1eff'\u2019-]{3,}$")
# A name must be a letter run (with inner hyphens or apostrophes), 2-20 characters.
NAME_SHAPE = re.compile(r"^[^\W\d_]{2,20}(?:[-'\u2019][^\W\d_]{2,20})?$")
# English words whose lower-case form has at least this log probability and is at least as
# frequent as the Title Case form are "common words" ("grace" -12.1 vs "Grace" -12.8).
COMMON_WORD_LOGPROB = -13.5
# A name of the origin countries only is left out when it is an English, German or Spanish word
# with at least this log probability, written in lower case about as often as capitalised.
ORIGIN_WORD_LOGPROB = -15.0


def header(lines: Iterable[str]) -> str:
    return "".join(f"# {line}\n" for line in lines)


def write_list(path: Path, comment: list[str], entries: Iterable[str]) -> int:
    entries = list(entries)
    path.write_text(header(comment) + "".join(f"{e}\n" for e in entries), encoding="utf-8")
    print(f"{path.relative_to(REPO_ROOT)}: {len(entries)} entries, {path.stat().st_size} bytes")
    return len(entries)


def ranked_names(
    table: dict[str, Any], max_rank: int, origin_rank: int, words: list[dict[str, float]]
) -> list[str]:
    """Names ranked within max_rank in any of COUNTRIES, or within origin_rank in any of
    ORIGIN_COUNTRIES when written in Latin letters and no word of `words`; best rank first."""
    best: dict[str, int] = {}
    for name, info in table.items():
        if not NAME_SHAPE.match(name):
            continue
        origin = bool(LATIN.match(name)) and not _word(name, words)
        ranks = [
            r
            for c, r in info.get("rank", {}).items()
            if r is not None
            and (
                (c in COUNTRIES and r <= max_rank)
                or (origin and c in ORIGIN_COUNTRIES and r <= origin_rank)
            )
        ]
        if ranks:
            best[name] = min(ranks)
    return sorted(best, key=lambda n: (best[n], n))


def _word(name: str, words: list[dict[str, float]]) -> bool:
    """A word written in lower case about as often as capitalised, in any of the languages
    ("Kingdom", "Apple", "Favour"; German "Drei"): the origin countries' lists of the leaked
    data are full of them."""
    return any(
        (lower := prob.get(name.lower(), -99.0)) >= ORIGIN_WORD_LOGPROB
        and lower >= prob.get(name, -99.0) - 1.0
        for prob in words
    )


def load_names_dataset(kind: str) -> dict[str, Any]:
    import names_dataset  # the throwaway venv only

    path = Path(names_dataset.__file__).parent / "v3" / f"{kind}.pkl.gz"
    with gzip.open(path, "rb") as f:
        table: dict[str, Any] = pickle.load(f)  # the package's own data file
    return table


def word_probabilities(language: str) -> dict[str, float]:
    import spacy_lookups_data  # the throwaway venv only

    path = Path(spacy_lookups_data.__file__).parent / "data" / f"{language}_lexeme_prob.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        prob: dict[str, float] = json.load(f)
    return prob


def common_english_words(prob: dict[str, float]) -> list[str]:
    words = [
        w
        for w, p in prob.items()
        if w.isalpha()
        and w.islower()
        and len(w) >= 2
        and p >= COMMON_WORD_LOGPROB
        and p >= prob.get(w.title(), -99.0)
    ]
    return sorted(words, key=lambda w: (-prob[w], w))


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def kb_vocabulary() -> list[str]:
    """Capitalised words of the demo KB's YAML data (merchants, products, phrases), lower case."""
    import yaml

    words: set[str] = set()
    for path in sorted(DEMO_DATA.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for text in _strings(data):
            text = re.sub(r"\{\{?[^}]*\}?\}", " ", text)  # placeholders and merge tags
            for word in re.findall(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*", text):
                # Capitalised words, and the parts of CamelCase names (SkyHop: sky, hop);
                # not contractions ("Don't" is no "Don").
                if word[0].isupper() and "'" not in word and "\u2019" not in word:
                    words.add(word.lower())
                    words.update(p.lower() for p in re.findall(r"[A-Z][a-z]+", word))
    return sorted(words)


def build_kb_vocabulary() -> None:
    write_list(
        OUT_DIR / "kb_vocabulary.txt",
        [
            "Capitalised words of the demo knowledge base (offergen/demo/data/*.yaml), lower case:",
            "merchant, product and category words are never a person's name.",
            "Generated by eval/data_builders/build_name_lists.py --kb-only; do not edit.",
        ],
        kb_vocabulary(),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb-only", action="store_true", help="only rebuild kb_vocabulary.txt")
    args = parser.parse_args(argv)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    build_kb_vocabulary()
    if args.kb_only:
        return 0
    countries = " ".join(COUNTRIES)
    origins = " ".join(ORIGIN_COUNTRIES)
    # Word frequencies of the copy's languages that spacy-lookups-data has (no French table).
    words = [word_probabilities(language) for language in ("en", "de", "es")]
    note = "Generated by eval/data_builders/build_name_lists.py; see README.md. Do not edit."
    write_list(
        OUT_DIR / "first_names.txt",
        [
            f"First names ranked <= {FIRST_NAME_RANK} in any of: {countries};",
            f"<= {ORIGIN_FIRST_NAME_RANK} in Latin letters in any of: {origins}.",
            "Source: names-dataset 3.3.1 (MIT); data from the 2021 Facebook leak, see README.md.",
            note,
        ],
        ranked_names(
            load_names_dataset("first_names"), FIRST_NAME_RANK, ORIGIN_FIRST_NAME_RANK, words
        ),
    )
    write_list(
        OUT_DIR / "last_names.txt",
        [
            f"Last names ranked <= {LAST_NAME_RANK} in any of: {countries};",
            f"<= {ORIGIN_LAST_NAME_RANK} in Latin letters in any of: {origins}.",
            "Source: names-dataset 3.3.1 (MIT); data from the 2021 Facebook leak, see README.md.",
            note,
        ],
        ranked_names(
            load_names_dataset("last_names"), LAST_NAME_RANK, ORIGIN_LAST_NAME_RANK, words
        ),
    )
    write_list(
        OUT_DIR / "common_words.txt",
        [
            "Frequent English words mostly written in lower case (log probability >= "
            f"{COMMON_WORD_LOGPROB} and not below the Title Case form's).",
            "Source: en_lexeme_prob of spacy-lookups-data 1.0.5 (MIT); words only, most frequent "
            "first.",
            note,
        ],
        common_english_words(words[0]),
    )
    total = sum(p.stat().st_size for p in OUT_DIR.glob("*.txt"))
    print(f"total {total} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
