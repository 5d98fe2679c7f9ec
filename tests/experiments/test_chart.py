"""The experiment chart: a standalone SVG with a row per arm, the winner marked, text escaped."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree

from offergen.experiments.bandit import Policy, Verdict
from offergen.experiments.chart import experiment_svg
from offergen.experiments.schemas import ArmView, ExperimentView


def _arm(variant: int, redemptions: int, p_best: float) -> ArmView:
    return ArmView(
        variant=variant,
        text="<b>copy</b>",
        assigned=10,
        sends=1000,
        clicks=50,
        redemptions=redemptions,
        alpha=1 + redemptions,
        beta=1 + 1000 - redemptions,
        mean=(1 + redemptions) / 1002,
        p_best=p_best,
        expected_loss=0.001,
    )


def test_the_chart_is_valid_svg_with_a_row_per_arm() -> None:
    view = ExperimentView(
        id="exp_1",
        request_id="r1",
        merchant_id="m_freshmart",
        policy=Policy.thompson,
        min_sends_per_arm=100,
        holdout_share=0.0,
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
        arms=[_arm(0, 5, 0.01), _arm(2, 30, 0.99)],
        verdict=Verdict(stop=True, winner=2, rule="p_best", reason="P(best) 0.990 >= 0.95 & <x>"),
    )
    svg = experiment_svg(view)
    root = ElementTree.fromstring(svg)  # well-formed, reasons escaped
    assert root.tag.endswith("svg")
    assert "variant 0" in svg and "variant 2" in svg and "&lt;x&gt;" in svg
    assert svg.count("#3a9d5d") == 3  # the winner's interval, dot and bar
