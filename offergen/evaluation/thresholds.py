"""Suite thresholds: a named figure of a run and the bounds it must stay within.

Metric names:
  pass_rate, release_rate, first_try_rate       share of cases / variants (0..1)
  hold_rate                                     share of drafts the guard held
  errors, refused                               numbers of cases
  critical_failures                             failed cases marked `critical: true`
  latency_ms.p50 | p95 | max | mean             per generate call
  assertion.<type>                              pass rate of that assertion (assertion.check:pii)
  channel.<sms|push|email|in_app>               case pass rate on that channel
  jurisdiction.<US|EU>                          case pass rate in that jurisdiction
  owasp.<LLM01..LLM10>                          case pass rate of the cases tagged with that id
  precision.<check> | recall.<check>            from `fires` assertions (the guard corpus)
A threshold on a figure the run did not produce fails: a misspelt name cannot pass silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from offergen.evaluation.assertions.check import known_checks
from offergen.evaluation.registry import assertion_class

_METRIC = re.compile(
    r"^(?:pass_rate|release_rate|first_try_rate|hold_rate|errors|refused|critical_failures"
    r"|latency_ms\.(?:p50|p95|max|mean)"
    r"|channel\.(?:sms|push|email|in_app)|jurisdiction\.(?:US|EU)|owasp\.LLM(?:0[1-9]|10)"
    r"|assertion\.(?P<assertion>[a-z_]+(?::[a-z_]+)?)"
    r"|(?:precision|recall)\.(?P<check>[a-z_]+))$"
)


def validate_metric(name: str) -> str:
    m = _METRIC.match(name)
    if m is None:
        raise ValueError(
            f"unknown metric {name!r}; valid: pass_rate, release_rate, first_try_rate, hold_rate, "
            "errors, refused, critical_failures, latency_ms.<p50|p95|max|mean>, "
            "assertion.<type>, channel.<channel>, jurisdiction.<US|EU>, owasp.<LLM01..LLM10>, "
            "precision.<check>, recall.<check>"
        )
    if m["assertion"]:
        assertion_class(m["assertion"])  # ValueError naming the valid types
        if ":" in m["assertion"] and m["assertion"].split(":", 1)[1] not in known_checks():
            raise ValueError(
                f"unknown check in {name!r}; valid checks: {', '.join(known_checks())}"
            )
    if m["check"] and m["check"] not in known_checks():
        raise ValueError(f"unknown check in {name!r}; valid checks: {', '.join(known_checks())}")
    return name


class Threshold(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str
    min: float | None = None
    max: float | None = None

    @field_validator("metric")
    @classmethod
    def _metric(cls, v: str) -> str:
        return validate_metric(v)

    @model_validator(mode="after")
    def _bounded(self) -> Threshold:
        if self.min is None and self.max is None:
            raise ValueError("give `min` and/or `max`")
        return self


class ThresholdResult(BaseModel):
    metric: str
    min: float | None
    max: float | None
    value: float | None
    passed: bool
    message: str


def judge(thresholds: list[Threshold], metrics: Mapping[str, float]) -> list[ThresholdResult]:
    results = []
    for t in thresholds:
        value = metrics.get(t.metric)
        if value is None:
            passed, message = False, "not measured in this run"
        elif t.min is not None and value < t.min:
            passed, message = False, f"{value:.4g} is below the minimum {t.min:g}"
        elif t.max is not None and value > t.max:
            passed, message = False, f"{value:.4g} is above the maximum {t.max:g}"
        else:
            passed, message = True, f"{value:.4g} within bounds"
        results.append(
            ThresholdResult(
                metric=t.metric, min=t.min, max=t.max, value=value, passed=passed, message=message
            )
        )
    return results
