"""`offergen eval`: Run eval suites (eval/suites/*.yaml) and compare templates or model profiles.

Exit codes: 0 every threshold held, 1 a threshold failed (CI gates on it), 2 the suite or an
option is malformed (the message names the file and the line or field).
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from offergen.cli.common import fail, load_settings

if TYPE_CHECKING:
    from offergen.evaluation.results import SuiteResults
    from offergen.evaluation.runner import Target
    from offergen.evaluation.suite import LoadedSuite

evals_app = typer.Typer(
    help="Run eval suites (eval/suites/*.yaml) and compare templates or model profiles.",
    no_args_is_help=True,
)

SuiteOpt = Annotated[
    Path, typer.Option("--suite", help="suite file, e.g. eval/suites/compliance.yaml")
]
OutOpt = Annotated[Path, typer.Option("--out", help="folder for the JSON and HTML reports")]
ConcurrencyOpt = Annotated[
    int, typer.Option(min=1, max=64, help="cases in flight at once (a vLLM profile gains most)")
]
LimitOpt = Annotated[int | None, typer.Option(min=1, help="run only the first N cases")]


class _Bar:
    """The runner's progress as a rich progress bar on stderr."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self._progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        )
        self._task: Any = None

    def __enter__(self) -> _Bar:
        self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()

    def start(self, label: str, total: int) -> None:
        self._task = self._progress.add_task(label, total=total)

    def advance(self) -> None:
        self._progress.advance(self._task)


def _load(path: Path) -> LoadedSuite:
    from offergen.evaluation.suite import SuiteError, load_suite

    try:
        return load_suite(path)
    except SuiteError as exc:
        fail(f"malformed suite:\n{exc}")


def _run(
    loaded: LoadedSuite,
    run_targets: list[Target],
    out: Path,
    concurrency: int,
    limit: int | None,
    seeds: list[int] | None = None,
) -> SuiteResults:
    from offergen.errors import OffergenError
    from offergen.evaluation.artifacts import write_run
    from offergen.evaluation.report_html import run_label
    from offergen.evaluation.runner import SuiteRunner

    settings = load_settings()
    try:
        with _Bar() as bar:
            runner = SuiteRunner(loaded, settings, out, concurrency, limit, bar)
            results = runner.run(run_targets, seeds)
    except OffergenError as exc:
        fail(str(exc))
    json_path, html_path = write_run(out, results)
    for run in results.runs:
        s = run.summary
        rate = "n/a" if s.pass_rate is None else f"{100 * s.pass_rate:.1f}%"
        typer.echo(
            f"{results.suite} [{run_label(run)}]: {s.passed}/{s.cases} cases passed ({rate}), "
            f"{s.errors} errors"
        )
        for tag, r in s.owasp.items():
            typer.echo(f"  {tag}: {r.passed}/{r.total} cases passed")
        if s.critical.total:
            typer.echo(f"  critical: {s.critical.total - s.critical.passed} failed")
        for t in run.thresholds:
            typer.echo(f"  {'ok  ' if t.passed else 'FAIL'} {t.metric}: {t.message}")
    typer.echo(f"wrote {json_path} and {html_path}")
    return results


@evals_app.command("run")
def run(
    suite: SuiteOpt,
    out: OutOpt,
    template: Annotated[
        str | None, typer.Option(help="prompt template, replacing the suite's templates")
    ] = None,
    profile: Annotated[
        str | None, typer.Option(help="model profile, replacing the suite's profiles")
    ] = None,
    concurrency: ConcurrencyOpt = 2,
    limit: LimitOpt = None,
) -> None:
    """Run a suite; writes OUT/results.json and OUT/report.html. Exit 1 if a threshold fails."""
    from offergen.evaluation.runner import targets

    loaded = _load(suite)
    try:
        run_targets = targets(loaded, template, profile)
    except ValueError as exc:
        fail(str(exc))
    results = _run(loaded, run_targets, out, concurrency, limit)
    if not results.passed:
        raise typer.Exit(1)


def _side(spec: str, option: str) -> Target:
    """`template=NAME`, `profile=NAME` or both, comma-separated."""
    from offergen.evaluation.runner import Target

    values: dict[str, str] = {}
    for part in spec.split(","):
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in ("template", "profile") or not value:
            fail(f"{option} {spec!r}: write template=NAME and/or profile=NAME, comma-separated")
        values[key] = value
    try:
        return Target(template=values.get("template"), profile=values.get("profile"))
    except ValueError as exc:
        fail(f"{option}: {exc}")


@evals_app.command("compare")
def compare(
    suite: SuiteOpt,
    a: Annotated[str, typer.Option("--a", help="side A: template=NAME and/or profile=NAME")],
    b: Annotated[str, typer.Option("--b", help="side B: template=NAME and/or profile=NAME")],
    out: OutOpt,
    repeats: Annotated[
        int | None,
        typer.Option(min=1, max=20, help="seeds per case [default: the suite's sampling.repeats]"),
    ] = None,
    concurrency: ConcurrencyOpt = 2,
    limit: LimitOpt = None,
) -> None:
    """Run a suite on A and on B with the same cases and seeds; writes OUT/compare.json and
    OUT/compare.html (and each side's own report under OUT/a and OUT/b)."""
    from offergen.evaluation.artifacts import write_comparison
    from offergen.evaluation.compare import compare as compare_runs

    target_a, target_b = _side(a, "--a"), _side(b, "--b")
    loaded = _load(suite)
    sampling = loaded.suite.sampling
    seeds = [sampling.seed + k for k in range(repeats or sampling.repeats)]
    results_a = _run(loaded, [target_a], out / "a", concurrency, limit, seeds)
    results_b = _run(loaded, [target_b], out / "b", concurrency, limit, seeds)
    comparison = compare_runs(results_a, results_b, target_a.label, target_b.label)
    json_path, html_path = write_comparison(out, comparison)
    typer.echo(comparison.verdict)
    typer.echo(f"wrote {json_path} and {html_path}")
