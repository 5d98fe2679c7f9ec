"""The playground in the console: render (prompt, token count, sources), generate with the
guard's verdicts, two templates side by side on one seed, load a recorded request, save the
request as an eval case; roles as the API's."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from offergen.api.principal import Role
from offergen.evaluation.case import Case
from offergen.evaluation.suite import load_suite
from offergen.generation.fair_queue import GenerationLimits
from tests.api.conftest import MakeApi
from tests.console.conftest import DRAFTS, Api, SignedIn, csrf_of, sign_in

FORM = {
    "merchant_id": "m_freshmart",
    "channel": "sms",
    "jurisdiction": "US",
    "tone": "friendly",
    "variants": "2",
    "seed": "7",
    "offer.kind": "cashback",
    "offer.value": "10",
    "offer.unit": "percent",
    "offer.currency": "USD",
    "customer.segment": "young professionals",
    "customer.interests": "coffee, travel",
}


def _post(client: TestClient, action: str, **over: str) -> Any:
    page = client.get("/console/playground")
    data = {"csrf_token": csrf_of(page.text), "action": action} | FORM | over
    return client.post("/console/playground", data=data)


def test_the_page_has_render_and_generate_buttons(signed_in: SignedIn) -> None:
    html = signed_in(Role.marketing).get("/console/playground").text
    assert '<button type="submit" name="action" value="render">Render</button>' in html
    assert '<button type="submit" name="action" value="generate">Generate</button>' in html
    assert 'label for="pg-merchant_id">Merchant</label>' in html


def test_render_shows_the_exact_prompt_its_tokens_and_sources(signed_in: SignedIn) -> None:
    r = _post(signed_in(Role.reviewer), "render", template="offer_copy_free")
    assert r.status_code == 200
    assert "tokens" in r.text and 'class="tokens"' in r.text
    assert "Prompt: offer_copy_free" in r.text
    assert "FreshMart" in r.text and "Copy:" in r.text
    assert "<code>po_" in r.text  # a past offer among the sources


def test_generate_shows_each_sample_with_its_verdict(api: Api, signed_in: SignedIn) -> None:
    r = _post(signed_in(Role.marketing), "generate", template="offer_copy_free")
    assert r.status_code == 200, r.text
    assert r.text.count('class="sample"') == 2
    assert "released" in r.text and "seed 7" in r.text
    # the same pipeline as the API: the calls reached the model with the form's seed
    assert api.backend.calls and api.backend.calls[0][1].seed == 7


def test_two_templates_side_by_side_use_one_seed(api: Api, signed_in: SignedIn) -> None:
    r = _post(
        signed_in(Role.admin), "generate", template="offer_copy_free", template_b="offer_copy"
    )
    assert r.status_code == 200, r.text
    assert "<h2>offer_copy_free <code>" in r.text and "<h2>offer_copy <code>" in r.text
    # each template's first round draws with seed 7 (a retry round takes the next seed)
    seeds = [params.seed for _, params in api.backend.calls]
    assert seeds.count(7) == 2 and min(s for s in seeds if s is not None) == 7


def test_a_reviewer_may_render_but_not_generate(signed_in: SignedIn) -> None:
    client = signed_in(Role.reviewer)
    assert 'value="generate"' not in client.get("/console/playground").text
    assert _post(client, "generate").status_code == 403


def test_another_tenants_merchant_is_unknown(signed_in: SignedIn) -> None:
    r = _post(signed_in(Role.marketing, "globex"), "render")  # m_freshmart is acme's
    assert "unknown merchant" in r.text


def test_a_bad_form_says_which_field(signed_in: SignedIn) -> None:
    r = _post(signed_in(Role.marketing), "render", **{"offer.value": "-3"})
    assert "offer.value" in r.text and 'role="alert"' in r.text


def test_load_a_recorded_request_by_its_id(api: Api, signed_in: SignedIn) -> None:
    generated = _post(signed_in(Role.admin), "generate", template="offer_copy_free")
    rid = generated.text.split('href="/console/audit/')[1].split('"')[0]
    page = signed_in(Role.reviewer).get("/console/playground", params={"from_request": rid})
    assert 'value="young professionals"' in page.text
    assert '<option value="offer_copy_free" selected>' in page.text
    other = signed_in(Role.reviewer, "globex").get(
        "/console/playground", params={"from_request": rid}
    )
    assert other.status_code == 404


def test_save_as_eval_case_writes_the_suite_format(api: Api, signed_in: SignedIn) -> None:
    r = _post(signed_in(Role.marketing), "save", case_id="pg-coffee-1")
    assert r.status_code == 200 and "Saved to" in r.text
    path = api.ctx.settings.data_dir / "evals" / "cases" / "playground.jsonl"
    [line] = path.read_text().splitlines()
    case = Case.model_validate(json.loads(line))
    assert case.id == "pg-coffee-1" and case.kind == "generate"
    assert case.vars.model_dump()["customer"]["interests"] == ["coffee", "travel"]
    suite = load_suite(api.ctx.settings.data_dir / "evals" / "suites" / "playground.yaml")
    assert [c.id for c in suite.cases] == ["pg-coffee-1"]  # the Evals page can run it


def test_generate_waits_its_turn_in_the_apis_queue_and_is_refused_like_the_api(
    make_api: MakeApi, new_key: Callable[[str, Role], str]
) -> None:
    limits = GenerationLimits(max_in_flight=1, max_queue=0, interactive_reserve=0)
    api = make_api(DRAFTS * 8, generation=limits)
    with TestClient(api.client.app) as client:  # started: the queue serves its slots
        sign_in(client, new_key("acme", Role.marketing))
        queue = client.app.state.generation  # type: ignore[attr-defined]
        with queue.interactive_slot("globex"):  # the one slot, another tenant's
            refused = _post(client, "generate", template="offer_copy_free")
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "2"
        assert "At capacity" in refused.text and "generation is at capacity" in refused.text
        assert not api.backend.calls  # refused before the model was asked
        r = _post(client, "generate", template="offer_copy_free")
        assert r.status_code == 200 and r.text.count('class="sample"') == 2
        assert queue.in_flight == 0  # handed back
