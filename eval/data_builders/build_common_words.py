"""Build the word bodies of guardrails/data/names/common_words_de.txt and common_words_fr.txt
(run once, offline, in a venv of its own; not a project dependency).

Needs spacy-lookups-data 1.0.5 unpacked at LOOKUPS and spaCy 3.8 (its stop-word lists):
`python build_common_words.py LOOKUPS guardrails/data/names OUT_DIR` writes OUT_DIR/common_words_
{de,fr}.body; each file's header and hand-written section are kept by hand.
"""

import gzip
import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

from spacy.lang.de.stop_words import STOP_WORDS as DE_STOP
from spacy.lang.fr.stop_words import STOP_WORDS as FR_STOP

LOOKUPS = Path(sys.argv[1])
NAMES = Path(sys.argv[2])
OUT = Path(sys.argv[3])


def load(name: str) -> Any:
    with gzip.open(LOOKUPS / name) as f:
        return json.load(f)


def fold(w):
    return "".join(
        c for c in unicodedata.normalize("NFKD", w.lower()) if not unicodedata.combining(c)
    )


def entries(name):
    out = set()
    for line in (NAMES / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out |= {line.lower(), fold(line)}
    return out


listed = entries("first_names.txt") | entries("last_names.txt")
plain = {
    line.strip().lower()
    for name in ("first_names.txt", "last_names.txt")
    for line in (NAMES / name).read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
}
english = entries("common_words.txt")
prob = load("de_lexeme_prob.json.gz")
cluster = load("de_lexeme_cluster.json.gz")


def is_listed(w):
    return w in listed or fold(w) in listed


de = set()
for w in DE_STOP:
    if w.isalpha() and is_listed(w):
        de.add(w)
for w, p in prob.items():
    if not w.isalpha():
        continue
    low = w.lower()
    if not is_listed(low):
        continue
    if w[:1].isupper() and w[1:].islower() and p >= -13.0:
        c = cluster.get(w)
        if isinstance(c, int) and c & 0b11 != 0b00:
            de.add(low)  # Title Case in a Brown-cluster branch of common nouns / sentence starts
en_prob = load("en_lexeme_prob.json.gz")


def english_name(w):
    # English text mostly writes it capitalised, and not rarely: a name there ("Allen", "Rosa").
    title = en_prob.get(w[:1].upper() + w[1:], -99.0)
    return title >= -15.0 and title > en_prob.get(w, -99.0)


fr = {w for w in FR_STOP if w.isalpha() and is_listed(w)}
de = {w for w in de if not english_name(w)} - english


def folded_name(w):
    # "völker" would meet the name "Volker" once folded: keep only what matches unfolded.
    return fold(w) != w and fold(w) in plain


de = {w for w in de if not folded_name(w)}
fr = {w for w in fr if not folded_name(w)}
fr = {w for w in fr if not english_name(w)} - english
for name, words in (("de", de), ("fr", fr)):
    print(name, len(words), file=sys.stderr)
    (OUT / f"common_words_{name}.body").write_text(
        "\n".join(sorted(words)) + "\n", encoding="utf-8"
    )
