"""Experiments on SQLite and PostgreSQL: arms from released variants, sticky assignment, hold-out,
posterior updates from outcomes (delayed ones included), tenant isolation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from offergen.errors import InvalidInputError, NotFoundError
from offergen.experiments.params import BanditParams
from offergen.experiments.schemas import ExperimentCreate
from offergen.experiments.service import Experiments
from offergen.outcomes.schemas import OutcomeEvent
from offergen.outcomes.service import Outcomes
from offergen.store.database import Database
from offergen.store.experiment_store import ExperimentStore
from offergen.store.outcome_log import OutcomeLog
from offergen.store.sql_audit import SqlAuditStore
from tests.store.audit_records import audit_record

NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=30)


@pytest.fixture
def stores(database: Database) -> tuple[Experiments, Outcomes]:
    database.create_schema()
    audit = SqlAuditStore(database)
    audit.append(
        [
            audit_record("r3", 0, tenant="acme", text="Variant zero."),
            audit_record("r3", 1, tenant="acme", text="Variant one."),
            audit_record("r3", 2, tenant="acme", released=False),
            audit_record("r3", 3, tenant="acme", text="Variant three."),
            audit_record("r1", 0, tenant="acme"),
            audit_record("r1", 1, tenant="acme", released=False),
            audit_record("g2", 0, tenant="globex"),
            audit_record("g2", 1, tenant="globex"),
        ]
    )
    log = OutcomeLog(database)
    params = BanditParams(draws=5000)
    return Experiments(ExperimentStore(database), audit, log, params), Outcomes(log, audit)


def _create(experiments: Experiments, tenant: str | None = "acme", **over: Any) -> str:
    body = ExperimentCreate.model_validate({"request_id": "r3", "policy": "thompson"} | over)
    return experiments.create(tenant, body).id


def _outcome(event_id: str, variant: int, sends: int, redemptions: int, at: datetime = OLD):
    return OutcomeEvent(
        event_id=event_id,
        request_id="r3",
        variant=variant,
        sends=sends,
        clicks=redemptions,
        redemptions=redemptions,
        at=at,
    )


def test_the_released_variants_become_the_arms(stores: tuple[Experiments, Outcomes]) -> None:
    experiments, _ = stores
    view = experiments.view("acme", _create(experiments, min_sends_per_arm=50))
    assert [a.variant for a in view.arms] == [0, 1, 3]  # 2 was held
    assert [a.text for a in view.arms] == ["Variant zero.", "Variant one.", "Variant three."]
    assert all((a.sends, a.redemptions, a.alpha, a.beta) == (0, 0, 1.0, 1.0) for a in view.arms)
    assert sum(a.p_best for a in view.arms) == pytest.approx(1.0)
    assert not view.verdict.stop and view.min_sends_per_arm == 50
    subset = experiments.view("acme", _create(experiments, variants=[3, 0]))
    assert [a.variant for a in subset.arms] == [3, 0]


def test_fewer_than_two_released_variants_is_refused(stores: tuple[Experiments, Outcomes]) -> None:
    experiments, _ = stores
    with pytest.raises(InvalidInputError, match="at least 2 released variants"):
        _create(experiments, request_id="r1")
    with pytest.raises(InvalidInputError) as exc:
        _create(experiments, variants=[0, 2])
    assert exc.value.fields == [("variants.1", "variant 2 was not released by this request")]
    with pytest.raises(InvalidInputError, match="unknown request_id"):
        _create(experiments, request_id="g2")  # globex's request, seen from acme


def test_assignment_is_sticky(stores: tuple[Experiments, Outcomes]) -> None:
    experiments, outcomes = stores
    exp_id = _create(experiments)
    first = {f"cust-{i}": experiments.assign("acme", exp_id, f"cust-{i}").arm for i in range(40)}
    assert set(first.values()) <= {0, 1, 3} and len(set(first.values())) > 1
    # outcomes move the posteriors, but a customer keeps the arm it got
    outcomes.record(
        "acme",
        [_outcome("e1", 3, 5000, 500), _outcome("e2", 0, 5000, 5), _outcome("e3", 1, 5000, 5)],
    )
    again = {k: experiments.assign("acme", exp_id, k).arm for k in first}
    assert again == first
    view = experiments.view("acme", exp_id)
    assert sum(a.assigned for a in view.arms) == 40
    # new customers now go mostly to the arm that redeems
    new = [experiments.assign("acme", exp_id, f"new-{i}").arm for i in range(40)]
    assert new.count(3) > 30


def test_the_holdout_is_a_deterministic_share(stores: tuple[Experiments, Outcomes]) -> None:
    experiments, _ = stores
    exp_id = _create(experiments, holdout_share=0.3, policy="uniform")
    answers = [experiments.assign("acme", exp_id, f"k{i}") for i in range(400)]
    held = [a for a in answers if a.holdout]
    assert all(a.arm is None for a in held)
    assert 0.2 < len(held) / 400 < 0.4
    assert [experiments.assign("acme", exp_id, f"k{i}") for i in range(400)] == answers
    # a uniform split over the others
    arms = [a.arm for a in answers if not a.holdout]
    assert all(arms.count(v) > 50 for v in (0, 1, 3))


def test_outcomes_update_the_posteriors_and_the_verdict(
    stores: tuple[Experiments, Outcomes],
) -> None:
    experiments, outcomes = stores
    exp_id = _create(experiments, min_sends_per_arm=1000)
    outcomes.record("acme", [_outcome("a", 0, 2000, 20), _outcome("b", 1, 2000, 60)])
    view = experiments.view("acme", exp_id)
    zero, one, three = view.arms
    assert (zero.sends, zero.redemptions, zero.alpha, zero.beta) == (2000, 20, 21.0, 1981.0)
    assert one.mean > zero.mean and three.sends == 0
    assert not view.verdict.stop and "below the minimum" in view.verdict.reason  # 3 has none
    outcomes.record("acme", [_outcome("c", 3, 2000, 20), _outcome("a", 0, 2000, 20)])
    view = experiments.view("acme", exp_id)
    assert view.arms[0].sends == 2000  # the replayed event counts once
    assert view.verdict.stop and view.verdict.winner == 1 and view.arms[1].p_best >= 0.95
    assert experiments.view("acme", exp_id) == view  # reproducible Monte Carlo


def test_recent_sends_count_as_trials_as_they_mature(
    stores: tuple[Experiments, Outcomes],
) -> None:
    experiments, outcomes = stores
    exp_id = _create(experiments)
    # sent just now: no redemption could have arrived yet, so they are not failures yet
    outcomes.record("acme", [_outcome("fresh", 0, 1000, 0, at=NOW - timedelta(hours=1))])
    fresh = experiments.view("acme", exp_id, now=NOW).arms[0]
    assert fresh.sends == 1000 and fresh.beta < 1 + 20
    half = experiments.view("acme", exp_id, now=NOW + timedelta(hours=35)).arms[0]
    assert half.beta == pytest.approx(1 + 1000 * 36 / 72, rel=1e-6)
    later = experiments.view("acme", exp_id, now=NOW + timedelta(days=5)).arms[0]
    assert later.beta == pytest.approx(1001.0)


def test_another_tenants_experiment_is_unknown(stores: tuple[Experiments, Outcomes]) -> None:
    experiments, _ = stores
    exp_id = _create(experiments)
    for call in (
        lambda: experiments.view("globex", exp_id),
        lambda: experiments.assign("globex", exp_id, "k"),
    ):
        with pytest.raises(NotFoundError, match="unknown experiment"):
            call()
    with pytest.raises(NotFoundError, match="unknown experiment"):
        experiments.view("globex", "exp_nope")
    assert experiments.view(None, exp_id).id == exp_id  # keyless dev mode sees every tenant
    keyless = _create(experiments, tenant=None)  # filed under the request's own tenant
    assert experiments.view("acme", keyless).request_id == "r3"
