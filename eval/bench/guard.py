"""Guard quality and latency on the labelled corpus; Presidio's analyzer is the latency reference.

Quality: per check, precision and recall of "fires" (a check fires on a case when it produced a
block or fix finding on the original text), released accuracy, misclassified ids.
Latency: p50/p95/p99 per text (<= 300 chars, one thread) of the whole pack vs Presidio's
AnalyzerEngine with its predefined pattern recognizers on a blank spaCy pipeline (no download).

Run: `.venv/bin/python eval/bench/guard.py [--corpus PATH] [--json OUT] [--reps N]`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

if __name__ == "__main__":  # not when a test imports load_corpus from here
    # One thread everywhere; set before anything imports numpy/torch.
    for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(_var, "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import yaml

from offergen.config import Settings
from offergen.errors import ConfigError

# The corpus format and the per-check counting are shared with the `guard` eval suite.
from offergen.evaluation.guard_corpus import (
    CorpusCase,
    CorpusError,
    Counts,
    fired_checks,
    load_corpus,
    tally,
)
from offergen.guardrails.base import CheckContext
from offergen.guardrails.guard import Guard
from offergen.guardrails.pack import LoadedCheck, LoadedPack, PolicyPack, load_pack
from offergen.guardrails.registry import get_check_class
from offergen.guardrails.semantic import shared_encoder
from offergen.schemas import GuardCase, Jurisdiction

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO_ROOT / "eval" / "guard" / "corpus.jsonl"
PACKS = {Jurisdiction.US: "us-default", Jurisdiction.EU: "eu-default"}
LATENCY_MAX_CHARS = 300
# The whole pack per text, semantic layer on (issue 20), and off (issue 19).
P95_TARGET_MS = 10
LEXICAL_P95_TARGET_MS = 5


def load_guard(guardrails_dir: Path, name: str) -> tuple[Guard, list[str]]:
    """The pack as it is; if it does not load (a check not registered yet, a data file being
    edited), the checks that do load, plus one line per check left out."""
    try:
        return Guard(load_pack(guardrails_dir, name)), []
    except ConfigError:
        pass
    path = guardrails_dir / f"{name}.yaml"
    pack = PolicyPack.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    loaded: list[LoadedCheck] = []
    skipped: list[str] = []
    for i, spec in enumerate(pack.checks):
        try:
            cls = get_check_class(spec.type)
            check = cls(cls.Params.model_validate(spec.params), spec.severity)
        except Exception as exc:
            first = str(exc).splitlines()[0] if str(exc) else ""
            skipped.append(f"{name} checks[{i}] {spec.type}: {type(exc).__name__}: {first}")
            continue
        loaded.append(LoadedCheck(position=f"checks[{i}]", spec=spec, check=check))
    return Guard(LoadedPack(name=name, path=path, pack=pack, checks=tuple(loaded))), skipped


def without_semantic(guard: Guard) -> Guard:
    """The same pack with `semantic: false` on every check that has the semantic layer: what
    the phrase lists and recognizers cost alone (issue 19's 5 ms budget predates the layer)."""
    checks = []
    for entry in guard.pack.checks:
        cls = type(entry.check)
        if "semantic" in cls.Params.model_fields:
            params = cls.Params.model_validate({**entry.spec.params, "semantic": False})
            entry = replace(entry, check=cls(params, entry.spec.severity))
        checks.append(entry)
    return Guard(replace(guard.pack, checks=tuple(checks)))


def context(case: GuardCase) -> CheckContext:
    return CheckContext(offer=case.offer, channel=case.channel, jurisdiction=case.jurisdiction)


@dataclass
class Quality:
    per_check: dict[str, Counts] = field(default_factory=dict)
    released_ok: int = 0
    total: int = 0
    clean_held: list[str] = field(default_factory=list)  # should be released, was held
    dirty_released: list[str] = field(default_factory=list)  # should be held, was released
    fires_mismatch: list[str] = field(default_factory=list)
    # Cases whose expected checks all ran (what the packs can decide today).
    decidable: int = 0
    decidable_ok: int = 0
    # Per language (cases that name one): [unsafe stopped, unsafe, clean released, clean].
    by_language: dict[str, list[int]] = field(default_factory=dict)


def evaluate(cases: Sequence[CorpusCase], guards: dict[Jurisdiction, Guard]) -> Quality:
    q = Quality()
    running = {
        j: {e.check.name for e in g.pack.checks if e.spec.enabled} for j, g in guards.items()
    }
    for case in cases:
        result = guards[case.jurisdiction].check(case.text, context(case))
        if set(case.expect.fires) <= running[case.jurisdiction]:
            q.decidable += 1
            q.decidable_ok += result.released == case.expect.released
        fired = fired_checks(result.findings, result.applied_fixes)
        expected = set(case.expect.fires)
        tolerated = set(case.expect.may_fire)
        tally(q.per_check, expected, fired, tolerated)
        q.total += 1
        if result.released == case.expect.released:
            q.released_ok += 1
        elif case.expect.released:
            q.clean_held.append(case.id)
        else:
            q.dirty_released.append(case.id)
        if (expected - fired) or (fired - expected - tolerated):
            q.fires_mismatch.append(case.id)
        if case.language:
            tally_language = q.by_language.setdefault(case.language, [0, 0, 0, 0])
            side = 2 if case.expect.released else 0
            tally_language[side] += result.released == case.expect.released
            tally_language[side + 1] += 1
    return q


T = TypeVar("T")


def percentiles(samples_s: Sequence[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples_s)
    qs = statistics.quantiles(ms, n=100, method="inclusive")
    return {"p50": qs[49], "p95": qs[94], "p99": qs[98], "mean": statistics.fmean(ms)}


def time_interleaved(
    fns: dict[str, Callable[[T], object]], texts: Sequence[T], reps: int
) -> dict[str, list[float]]:
    """Seconds per call for each fn; calls alternate text by text, so both sides see the same
    machine noise (the ratio is the figure to trust on a shared box)."""
    for fn in fns.values():  # warm-up: compiled regexes, lazy data
        for text in texts:
            fn(text)
    samples: dict[str, list[float]] = {name: [] for name in fns}
    clock = time.perf_counter
    for _ in range(reps):
        for text in texts:
            for name, fn in fns.items():
                t0 = clock()
                fn(text)
                samples[name].append(clock() - t0)
    return samples


def build_presidio() -> tuple[Any, list[str]]:
    """AnalyzerEngine with predefined pattern recognizers on a blank spaCy 'en' (offline)."""
    import spacy
    import tldextract
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    # The email recognizer calls tldextract, which would fetch the public suffix list: use the
    # snapshot bundled with the package instead.
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())  # type: ignore[assignment]

    class BlankSpacyNlpEngine(SpacyNlpEngine):
        """The spaCy engine with an untrained 'en' pipeline: tokens only, nothing to download."""

        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}  # type: ignore[assignment]

    nlp = BlankSpacyNlpEngine(models=[{"lang_code": "en", "model_name": "blank"}])
    nlp.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp)
    # NER needs a trained pipeline; with a blank one it finds nothing, so leave it out.
    registry.remove_recognizer("SpacyRecognizer")
    engine = AnalyzerEngine(nlp_engine=nlp, registry=registry, supported_languages=["en"])
    return engine, sorted(str(getattr(r, "name", type(r).__name__)) for r in registry.recognizers)


def per_check_latency(
    ctxs: dict[str, tuple[Guard, CheckContext]], reps: int
) -> dict[str, dict[str, float]]:
    """Each enabled check alone over the same texts (where the pack's time goes)."""
    samples: dict[str, list[float]] = {}
    clock = time.perf_counter
    for rep in range(reps + 1):  # rep 0 warms up
        for text, (guard, ctx) in ctxs.items():
            shared_encoder().forget()  # the first semantic check of a text pays for embedding it
            for entry in guard.pack.checks:
                if not entry.spec.enabled:
                    continue
                t0 = clock()
                # A raising check becomes a finding in the guard; time it all the same.
                with contextlib.suppress(Exception):
                    entry.check.check(text, ctx)
                if rep:
                    samples.setdefault(entry.check.name, []).append(clock() - t0)
    return {name: percentiles(s) for name, s in samples.items()}


def latency(
    cases: Sequence[CorpusCase], guards: dict[Jurisdiction, Guard], reps: int
) -> dict[str, Any]:
    short = [c for c in cases if len(c.text) <= LATENCY_MAX_CHARS]
    ctxs = {c.text: (guards[c.jurisdiction], context(c)) for c in short}
    texts = list(ctxs)

    def ours(text: str) -> object:
        # Every draft is new text: its sentences are embedded afresh, not read from the cache
        # (the exemplars stay embedded, as in a warmed-up service).
        shared_encoder().forget()
        guard, ctx = ctxs[text]
        return guard.check(text, ctx)

    lexical = {j: without_semantic(g) for j, g in guards.items()}

    def ours_lexical(text: str) -> object:
        ctx = ctxs[text][1]
        return lexical[ctx.jurisdiction].check(text, ctx)

    out: dict[str, Any] = {"texts": len(texts), "reps": reps}
    fns: dict[str, Callable[[str], object]] = {"ours": ours, "ours_lexical": ours_lexical}
    try:
        engine, recognizers = build_presidio()
        out["presidio_recognizers"] = recognizers
        fns["presidio"] = lambda t: engine.analyze(text=t, language="en")
    except Exception as exc:  # the reference is optional: report why it is missing
        out["presidio_error"] = f"{type(exc).__name__}: {exc}"
    samples = time_interleaved(fns, texts, reps)
    out["ours_ms"] = percentiles(samples["ours"])
    out["ours_lexical_ms"] = percentiles(samples["ours_lexical"])
    out["per_check_ms"] = per_check_latency(ctxs, reps)
    if "presidio" in samples:
        out["presidio_ms"] = percentiles(samples["presidio"])
        out["ratio_ours_over_presidio"] = {
            k: out["ours_ms"][k] / out["presidio_ms"][k] for k in ("p50", "p95", "p99")
        }
    return out


def _fmt(x: float | None) -> str:
    return "  n/a" if x is None else f"{x:5.3f}"


def report(
    quality: Quality, lat: dict[str, Any], packs: dict[str, list[str]], corpus: Path
) -> dict[str, Any]:
    in_pack = {name for names in packs.values() for name in names}
    print(f"corpus: {corpus} ({quality.total} cases)")
    for pack, names in packs.items():
        print(f"pack {pack}: {', '.join(names)}")
    print()
    print(f"{'check':<16} {'prec':>6} {'recall':>6} {'tp':>4} {'fp':>4} {'fn':>4}")
    checks: dict[str, Any] = {}
    for name in sorted(quality.per_check):
        c = quality.per_check[name]
        note = "" if name in in_pack else "  (not in pack or not loaded)"
        print(
            f"{name:<16} {_fmt(c.precision):>6} {_fmt(c.recall):>6} "
            f"{c.tp:>4} {c.fp:>4} {c.fn:>4}{note}"
        )
        checks[name] = {
            "precision": c.precision,
            "recall": c.recall,
            "tp": c.tp,
            "fp": c.fp,
            "fn": c.fn,
            "in_pack": name in in_pack,
        }
    acc = quality.released_ok / quality.total
    mis = quality.clean_held + quality.dirty_released
    print()
    print(
        f"released accuracy: {acc:.3f} ({quality.released_ok}/{quality.total}); "
        f"clean held: {len(quality.clean_held)}, dirty released: {len(quality.dirty_released)}"
    )
    if quality.decidable:
        print(
            f"released accuracy on cases whose expected checks all ran: "
            f"{quality.decidable_ok / quality.decidable:.3f} "
            f"({quality.decidable_ok}/{quality.decidable})"
        )
    for language, (stopped, unsafe, released, clean) in sorted(quality.by_language.items()):
        print(
            f"  {language}: unsafe stopped {stopped}/{unsafe} ({stopped / max(1, unsafe):.1%}), "
            f"clean released {released}/{clean} ({released / max(1, clean):.1%})"
        )
    print(f"misclassified (released), first 20: {', '.join(mis[:20]) or '-'}")
    print(
        f"fires mismatch: {len(quality.fires_mismatch)} cases, first 20: "
        f"{', '.join(quality.fires_mismatch[:20]) or '-'}"
    )
    print()
    print(
        f"latency per text (<= {LATENCY_MAX_CHARS} chars, {lat['texts']} texts x {lat['reps']} "
        "reps, one thread), ms:"
    )
    for label, key, target in (
        ("ours (whole pack)", "ours_ms", P95_TARGET_MS),
        ("ours, semantic layer off", "ours_lexical_ms", LEXICAL_P95_TARGET_MS),
    ):
        figs = lat[key]
        print(
            f"  {label}  p50 {figs['p50']:.3f}  p95 {figs['p95']:.3f}  p99 {figs['p99']:.3f}  "
            f"-> p95 target {target} ms: {'met' if figs['p95'] <= target else 'MISSED'}"
        )
    for name, figs in lat["per_check_ms"].items():
        print(f"    {name:<16} p50 {figs['p50']:.3f}  p95 {figs['p95']:.3f}  p99 {figs['p99']:.3f}")
    if "presidio_ms" in lat:
        pr, ratio = lat["presidio_ms"], lat["ratio_ours_over_presidio"]
        print(f"  presidio analyzer  p50 {pr['p50']:.3f}  p95 {pr['p95']:.3f}  p99 {pr['p99']:.3f}")
        print(
            f"  ratio ours/presidio  p50 {ratio['p50']:.3f}  p95 {ratio['p95']:.3f}  "
            f"p99 {ratio['p99']:.3f}"
        )
        print(f"  presidio recognizers: {', '.join(lat['presidio_recognizers'])}")
    else:
        print(f"  presidio reference unavailable: {lat.get('presidio_error')}")
    return {
        "corpus": str(corpus),
        "cases": quality.total,
        "packs": packs,
        "checks": checks,
        "released_accuracy": acc,
        "released_accuracy_decidable": (
            quality.decidable_ok / quality.decidable if quality.decidable else None
        ),
        "clean_held": quality.clean_held,
        "dirty_released": quality.dirty_released,
        "fires_mismatch": quality.fires_mismatch,
        "by_language": {
            lang: dict(zip(("unsafe_stopped", "unsafe", "clean_released", "clean"), v, strict=True))
            for lang, v in quality.by_language.items()
        },
        "latency": lat,
    }


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="labelled JSONL")
    parser.add_argument("--json", type=Path, default=None, metavar="OUT", help="write figures")
    parser.add_argument("--reps", type=int, default=10, help="latency repetitions per text")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        cases = load_corpus(args.corpus)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    settings = Settings()
    guards: dict[Jurisdiction, Guard] = {}
    skipped: list[str] = []
    for jurisdiction, name in PACKS.items():
        guards[jurisdiction], left_out = load_guard(settings.guardrails_dir, name)
        skipped += left_out
    for line in skipped:
        print(f"warning: left out (does not load): {line}", file=sys.stderr)
    packs = {
        g.name: [e.check.name for e in g.pack.checks if e.spec.enabled] for g in guards.values()
    }
    quality = evaluate(cases, guards)
    lat = latency(cases, guards, max(1, args.reps))
    figures = report(quality, lat, packs, args.corpus)
    figures["skipped_checks"] = skipped
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
