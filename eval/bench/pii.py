"""PII detection of the guard on the independent set eval/pii/set.jsonl (see eval/pii/README.md).

The guard is called through its public entry point only (`check_copy` with the default pack of
the case's jurisdiction); only findings with `check == "pii"` count.

- recall per entity type: an entity span is found when a pii finding overlaps it by at least one
  character; "type match" also needs the finding's rule id to name the span's type (the mapping
  from rule ids to types is guessed from the rule ids seen and printed, so it can be checked);
- false alarms: entity-free sentences with at least one pii finding, and non-personal spans
  (prices, dates, order numbers, ...) overlapped by a pii finding;
- the guard corpus's clean copy (eval/guard/corpus.jsonl, `expect.released: true` and pii neither
  in `fires` nor `may_fire`) with a pii finding;
- p50/p95 latency of one `check_copy` call.

Missed entities and false alarms are shown for the calibration split only; the held-out split is
reported as counts (do not tune on its misses).

Exits 0 whatever the scores; 2 only when the policy packs do not load (nothing to score).

Run: `HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv/bin/python eval/bench/pii.py
[--set PATH] [--corpus PATH] [--examples N] [--json OUT]`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(_var, "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from offergen.errors import ConfigError
from offergen.guardrails.packs import Packs
from offergen.guardrails.verdict import check_copy
from offergen.schemas import GuardCase

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SET = REPO_ROOT / "eval" / "pii" / "set.jsonl"
DEFAULT_CORPUS = REPO_ROOT / "eval" / "guard" / "corpus.jsonl"
DEFAULT_PERSON_SET = REPO_ROOT / "eval" / "pii" / "person_dev.jsonl"
GUARDRAILS = REPO_ROOT / "guardrails"
NEUTRAL_OFFER = {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent"}
SPLITS = ("calibration", "heldout")

TARGET_TYPES = (
    "PHONE_NUMBER",
    "PERSON",
    "STREET_ADDRESS",
    "CREDIT_CARD",
    "EMAIL_ADDRESS",
    "IBAN_CODE",
    "US_SSN",
)
# Personal but not required (reported for information).
OTHER_PERSONAL = (
    "NATIONAL_ID",
    "IP_ADDRESS",
    "US_DRIVER_LICENSE",
    "DATE_OF_BIRTH",
    "ZIP_CODE",
    "AGE",
    "URL",
)
SHORT = dict(
    zip(TARGET_TYPES, ("phone", "person", "addr", "card", "email", "iban", "ssn"), strict=True)
)
# Rule id words -> type, tried in this order (an "email address" rule is not a street address).
TYPE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("EMAIL_ADDRESS", ("email", "mail")),
    ("IBAN_CODE", ("iban",)),
    ("US_SSN", ("ssn", "social")),
    ("CREDIT_CARD", ("card", "credit", "pan", "luhn")),
    ("PHONE_NUMBER", ("phone", "tel", "telephone", "mobile", "msisdn")),
    ("STREET_ADDRESS", ("address", "street", "postal", "addr")),
    ("PERSON", ("person", "name", "names")),
)


def rule_type(rule_id: str) -> str | None:
    words = set(re.split(r"[^a-z0-9]+", rule_id.lower()))
    for kind, keys in TYPE_WORDS:
        if words & set(keys):
            return kind
    return None


@dataclass
class Result:
    row: dict[str, Any]
    findings: list[tuple[str, int, int]]  # (rule_id, start, end), pii only
    seconds: float


@dataclass
class Tally:
    found: Counter[str] = field(default_factory=Counter)
    typed: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    missed: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    free_total: int = 0
    free_alarm: list[Result] = field(default_factory=list)
    nonpii_total: Counter[str] = field(default_factory=Counter)
    nonpii_hit: Counter[str] = field(default_factory=Counter)
    sent_total: int = 0
    sent_with_target: int = 0
    sent_all_found: int = 0


def overlaps(span: dict[str, Any], findings: list[tuple[str, int, int]]) -> list[str]:
    return [rid for rid, s, e in findings if s < span["end"] and span["start"] < e]


def case_for(row: dict[str, Any]) -> GuardCase:
    return GuardCase.model_validate(
        {
            "text": row["text"],
            "channel": "email",
            "jurisdiction": "US" if row["locale"] == "en_US" else "EU",
            "offer": NEUTRAL_OFFER,
        }
    )


def run_case(packs: Packs, case: GuardCase) -> tuple[list[tuple[str, int, int]], float]:
    t0 = time.perf_counter()
    verdict = check_copy(packs, case)
    dt = time.perf_counter() - t0
    return [(f.rule_id, f.start, f.end) for f in verdict.findings if f.check == "pii"], dt


def tally(results: list[Result], rule_types: dict[str, str | None]) -> Tally:
    t = Tally()
    for res in results:
        row = res.row
        t.sent_total += 1
        targets = [s for s in row["spans"] if s["type"] in TARGET_TYPES + OTHER_PERSONAL]
        required = [s for s in targets if s["type"] in TARGET_TYPES]
        all_found = True
        for span in targets:
            hits = overlaps(span, res.findings)
            t.total[span["type"]] += 1
            if hits:
                t.found[span["type"]] += 1
                if any(rule_types.get(r) == span["type"] for r in hits):
                    t.typed[span["type"]] += 1
            elif span["type"] in TARGET_TYPES:
                all_found = False
                t.missed[span["type"]].append((row, span))
        if required:
            t.sent_with_target += 1
            t.sent_all_found += all_found
        if row["entity_free"]:
            t.free_total += 1
            if res.findings:
                t.free_alarm.append(res)
            for span in row["spans"]:
                t.nonpii_total[span["type"]] += 1
                if overlaps(span, res.findings):
                    t.nonpii_hit[span["type"]] += 1
    return t


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "    -"


def snippet(text: str, start: int, end: int, width: int = 70) -> str:
    lo, hi = max(0, start - width), min(len(text), end + width)
    pre = ("..." if lo else "") + text[lo:start]
    post = text[end:hi] + ("..." if hi < len(text) else "")
    return repr(pre + "[[" + text[start:end] + "]]" + post)


def print_tally(name: str, t: Tally, detail: bool, examples: int) -> None:
    print(f"\n== {name}: {t.sent_total} sentences, {t.sent_with_target} with a target entity")
    print(f"  {'type':<16}{'found/total':>14}{'recall':>9}{'type match':>13}")
    found_all = total_all = typed_all = 0
    for kind in TARGET_TYPES:
        f, n, ty = t.found[kind], t.total[kind], t.typed[kind]
        found_all, total_all, typed_all = found_all + f, total_all + n, typed_all + ty
        print(f"  {kind:<16}{f'{f}/{n}':>14}{pct(f, n):>9}{pct(ty, n):>13}")
    print(
        f"  {'ALL':<16}{f'{found_all}/{total_all}':>14}{pct(found_all, total_all):>9}"
        f"{pct(typed_all, total_all):>13}"
    )
    print(
        f"  sentences with every target entity found: {t.sent_all_found}/{t.sent_with_target}"
        f" ({pct(t.sent_all_found, t.sent_with_target).strip()})"
    )
    other = [k for k in OTHER_PERSONAL if t.total[k]]
    if other:
        print(
            "  not required (information): "
            + ", ".join(f"{k} {t.found[k]}/{t.total[k]}" for k in other)
        )
    n_alarm = len(t.free_alarm)
    print(
        f"  false alarms: {n_alarm}/{t.free_total} entity-free sentences with a pii finding"
        f" ({pct(n_alarm, t.free_total).strip()})"
    )
    hit, n_spans = sum(t.nonpii_hit.values()), sum(t.nonpii_total.values())
    print(
        f"  non-personal spans (prices, dates, codes, places, ...) in entity-free sentences"
        f" overlapped by a pii finding: {hit}/{n_spans}"
        + "".join(f", {k} {v}/{t.nonpii_total[k]}" for k, v in sorted(t.nonpii_hit.items()) if v)
    )
    if not detail or examples <= 0:
        return
    for kind in TARGET_TYPES:
        missed = t.missed.get(kind, [])
        if not missed:
            continue
        print(f"  missed {kind} ({len(missed)}), e.g.:")
        step = max(1, len(missed) // examples)
        for row, span in missed[::step][:examples]:
            where = snippet(row["text"], span["start"], span["end"])
            print(f"    {row['id']} {row['locale']}: {where}")
    if t.free_alarm:
        print(f"  false alarms on entity-free sentences ({n_alarm}), e.g.:")
        step = max(1, n_alarm // examples)
        for res in t.free_alarm[::step][:examples]:
            rid, s, e = res.findings[0]
            print(
                f"    {res.row['id']} {res.row['locale']} {rid}: {snippet(res.row['text'], s, e)}"
            )


def score_person_set(packs: Packs, rows: list[dict[str, Any]]) -> dict[str, int]:
    """eval/pii/person_dev.jsonl: each occurrence of a listed name overlapped by a person-name
    finding counts as found; a text with no name and any person-name finding is a false alarm
    (its brands, cities and Title Case headlines are the probes)."""
    found = names = alarms = free = 0
    for row in rows:
        locale = "en_US" if row["lang"] == "en" else "eu"
        hits = [
            (s, e)
            for rid, s, e in run_case(packs, case_for({**row, "locale": locale}))[0]
            if rule_type(rid) == "PERSON"
        ]
        if not row["names"]:
            free += 1
            alarms += bool(hits)
        for name in set(row["names"]):
            for m in re.finditer(re.escape(name), row["text"]):
                names += 1
                found += any(s < m.end() and m.start() < e for s, e in hits)
    return {"found": found, "names": names, "alarms": alarms, "free": free}


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--person-set", type=Path, default=DEFAULT_PERSON_SET)
    parser.add_argument("--guardrails", type=Path, default=GUARDRAILS, help="policy packs folder")
    parser.add_argument("--examples", type=int, default=4, help="calibration examples per type")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()

    rows = load_jsonl(args.set)
    packs = Packs(args.guardrails)
    try:
        for jur in ("US", "EU"):  # load the packs before timing
            warm = {"text": "Warm-up.", "channel": "email", "jurisdiction": jur}
            check_copy(packs, GuardCase.model_validate({**warm, "offer": NEUTRAL_OFFER}))
    except ConfigError as exc:
        print(f"the policy packs in {args.guardrails} do not load; nothing scored:\n{exc}")
        return 2

    results: list[Result] = []
    errors: list[str] = []
    for row in rows:
        try:
            findings, dt = run_case(packs, case_for(row))
        except Exception as exc:  # keep scoring; report
            errors.append(f"{row['id']}: {type(exc).__name__}: {exc}")
            continue
        results.append(Result(row, findings, dt))

    rule_ids = Counter(rid for r in results for rid, _, _ in r.findings)
    rule_types = {rid: rule_type(rid) for rid in rule_ids}
    print(f"PII set: {args.set} ({len(rows)} sentences); guard: {args.guardrails}")
    print("pii rule ids seen (findings; type inferred from the id for 'type match'):")
    for rid, n in rule_ids.most_common():
        print(f"  {rid:<40} {n:>5}  -> {rule_types[rid] or '?'}")
    if not rule_ids:
        print("  (none)")
    if errors:
        print(f"errors: {len(errors)} sentences could not be checked, e.g. {errors[:3]}")

    tallies = {s: tally([r for r in results if r.row["split"] == s], rule_types) for s in SPLITS}
    tallies["total"] = tally(results, rule_types)
    print_tally("calibration", tallies["calibration"], detail=True, examples=args.examples)
    print_tally("heldout (counts only)", tallies["heldout"], detail=False, examples=0)
    print_tally("total", tallies["total"], detail=False, examples=0)

    print("\n== recall per locale (all target types, total)")
    by_loc: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_loc[r.row["locale"]].append(r)
    for loc, rs in by_loc.items():
        t = tally(rs, rule_types)
        f, n = sum(t.found[k] for k in TARGET_TYPES), sum(t.total[k] for k in TARGET_TYPES)
        per = " ".join(f"{SHORT[k]} {t.found[k]}/{t.total[k]}" for k in TARGET_TYPES)
        print(
            f"  {loc}  {f:>4}/{n:<4} {pct(f, n)}  false alarms {len(t.free_alarm)}/{t.free_total}"
            f"  [{per}]"
        )

    corpus = load_jsonl(args.corpus)
    clean = [
        c
        for c in corpus
        if c.get("expect", {}).get("released") is True
        and "pii" not in c["expect"].get("fires", [])
        and "pii" not in c["expect"].get("may_fire", [])
    ]
    flagged: list[tuple[str, str, str]] = []
    for c in clean:
        case = GuardCase.model_validate(
            {k: c[k] for k in ("text", "channel", "jurisdiction", "offer")}
        )
        findings, _ = run_case(packs, case)
        if findings:
            rid, s, e = findings[0]
            flagged.append((c["id"], rid, snippet(c["text"], s, e, 40)))
    n_ids = sum(1 for c in clean if c["id"].startswith("clean-"))
    n_ids_flagged = sum(1 for i, _, _ in flagged if i.startswith("clean-"))
    print(
        f"\n== guard corpus clean copy ({args.corpus}, released: true, pii"
        f" not expected): {len(flagged)}/{len(clean)} texts with a pii finding"
        f" (clean-* ids: {n_ids_flagged}/{n_ids})"
    )
    for cid, rid, snip in flagged:
        print(f"    {cid} {rid}: {snip}")

    person = score_person_set(packs, load_jsonl(args.person_set))
    print(
        f"\n== person names, blind set ({args.person_set}): names found"
        f" {person['found']}/{person['names']} {pct(person['found'], person['names'])};"
        f" texts without a name given a person finding {person['alarms']}/{person['free']}"
        f" {pct(person['alarms'], person['free'])}"
    )

    times_ms = [r.seconds * 1000 for r in results]
    qs = (
        statistics.quantiles(times_ms, n=100, method="inclusive") if len(times_ms) > 1 else [0] * 99
    )
    print(
        f"\n== latency of one check_copy call ({len(times_ms)} calls, email channel, one thread):"
        f" p50 {qs[49]:.2f} ms, p95 {qs[94]:.2f} ms, max {max(times_ms, default=0):.2f} ms"
    )

    if args.json:
        out = {
            name: {
                "recall": {k: [t.found[k], t.total[k]] for k in TARGET_TYPES},
                "type_match": {k: [t.typed[k], t.total[k]] for k in TARGET_TYPES},
                "false_alarms": [len(t.free_alarm), t.free_total],
            }
            for name, t in tallies.items()
        }
        out["corpus_clean_flagged"] = [len(flagged), len(clean)]
        out["person_set"] = person
        out["latency_ms"] = {"p50": qs[49], "p95": qs[94]}
        out["rule_ids"] = dict(rule_ids)
        args.json.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
