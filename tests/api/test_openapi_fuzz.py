"""Schemathesis over the app's own OpenAPI schema, in process (ASGI, no network): whatever it
sends, valid or not, the API answers with no 5xx, and every answer (status, media type, headers,
body) is one the schema declares."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CHECKS, load_all_checks

from offergen.api.principal import Role
from offergen.store.keys import KeyStore
from tests.api.conftest import MakeApi, auth

# Per operation and mode: enough to reach every status a route has, well under a minute in all.
EXAMPLES = 25
# No 5xx; every status, media type, header and body as declared; auth never ignored; 405 for
# undeclared methods. Not the two checks that judge which data should be accepted: a request can
# be schema-valid and still refused by rules JSON Schema cannot state (value and unit together,
# no personal data in free text, an import item that is a past offer), and, like most APIs, this
# one ignores query parameters it does not know.
load_all_checks()
CHECK_FUNCTIONS = [
    c
    for c in CHECKS.get_all()
    if c.__name__ not in ("positive_data_acceptance", "negative_data_rejection")
]


NEGATIVE = schemathesis.GenerationMode.NEGATIVE


def _has_body(operation: schemathesis.APIOperation) -> bool:
    return bool(operation.get_request_payload_content_types())


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=str)
def test_the_api_keeps_its_contract(
    make_api: MakeApi, keys: KeyStore, mode: schemathesis.GenerationMode
) -> None:
    headers = auth(keys.create("acme", Role.admin)[1])
    schema = schemathesis.openapi.from_asgi("/openapi.json", make_api().client.app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        if mode is NEGATIVE and not list(operation.iter_parameters()) and not _has_body(operation):
            continue  # nothing in the request can be made invalid

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def holds(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECK_FUNCTIONS)

        try:
            holds()
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failure, not the first
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
