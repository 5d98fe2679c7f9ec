"""Reviews in the console: the queue and its filters, an item with highlighted findings,
approve / reject once (409 after), tenant scoping, roles, PII in the note, escaping."""

from __future__ import annotations

from offergen.api.principal import Role
from tests.console.conftest import Api, QueueHeld, SignedIn, csrf_of
from tests.store.audit_records import NUMBERS

XSS = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'


def _decide(client, item: int, decision: str, code: str, note: str = ""):  # type: ignore[no-untyped-def]
    page = client.get(f"/console/reviews/{item}")
    return client.post(
        f"/console/reviews/{item}/decision",
        data={"csrf_token": csrf_of(page.text), "decision": decision, "reason_code": code,
              "note": note},
        follow_redirects=False,
    )  # fmt: skip


def test_approve_then_a_second_decision_is_a_409(
    api: Api, signed_in: SignedIn, queue_held: QueueHeld
) -> None:
    first, second = queue_held(n=2)
    client = signed_in(Role.reviewer)
    queue = client.get("/console/reviews")
    assert f'href="/console/reviews/{first}"' in queue.text
    r = _decide(client, first, "approve", "warning_acceptable", "deadline is real")
    assert r.status_code == 303
    item = api.ctx.reviews.get(first, "acme")
    assert item.decision is not None and item.decision.reason == (
        "warning_acceptable: deadline is real"
    )
    assert item.decision.reviewer is not None  # the key's id, as the API records it
    page = client.get(f"/console/reviews/{first}")
    assert "approved at" in page.text, page.text[page.text.find("h-decide") :][:600]
    no = _decide(client, second, "reject", "misleading")
    assert no.status_code == 303
    again = client.post(
        f"/console/reviews/{first}/decision",
        data={"csrf_token": csrf_of(page.text), "decision": "reject", "reason_code": "other"},
    )
    assert again.status_code == 409
    assert "already decided (approve)" in again.text
    assert api.ctx.reviews.get(first, "acme").decision.decision.value == "approve"  # type: ignore[union-attr]


def test_a_decision_needs_the_csrf_token(signed_in: SignedIn, queue_held: QueueHeld) -> None:
    [item] = queue_held()
    client = signed_in(Role.reviewer)
    for token in ("", "0" * 64):
        r = client.post(
            f"/console/reviews/{item}/decision",
            data={"csrf_token": token, "decision": "approve", "reason_code": "compliant"},
        )
        assert r.status_code == 403
    other = signed_in(Role.reviewer)  # another session's token is no good here
    theirs = csrf_of(other.get("/console/reviews").text)
    r = client.post(
        f"/console/reviews/{item}/decision",
        data={"csrf_token": theirs, "decision": "approve", "reason_code": "compliant"},
    )
    assert r.status_code == 403


def test_a_note_with_personal_data_is_refused(
    api: Api, signed_in: SignedIn, queue_held: QueueHeld
) -> None:
    [item] = queue_held()
    r = _decide(signed_in(Role.reviewer), item, "reject", "other", "card 4111 1111 1111 1111")
    assert r.status_code == 422
    assert "4111" not in r.text
    assert api.ctx.reviews.get(item, "acme").decision is None


def test_another_tenants_item_is_not_found_and_marketing_may_not_review(
    signed_in: SignedIn, queue_held: QueueHeld
) -> None:
    [item] = queue_held(tenant="globex")
    client = signed_in(Role.reviewer, "acme")
    assert client.get(f"/console/reviews/{item}").status_code == 404
    assert f"/console/reviews/{item}" not in client.get("/console/reviews").text
    assert _decide_raw(client, item).status_code == 404
    marketing = signed_in(Role.marketing, "globex")
    assert marketing.get("/console/reviews").status_code == 403
    assert marketing.get(f"/console/reviews/{item}").status_code == 403


def _decide_raw(client, item: int):  # type: ignore[no-untyped-def]
    page = client.get("/console/audit")  # any page of the session carries its token
    token = csrf_of(page.text)
    return client.post(
        f"/console/reviews/{item}/decision",
        data={"csrf_token": token, "decision": "approve", "reason_code": "compliant"},
    )


def test_held_text_and_findings_are_escaped_and_highlighted(
    signed_in: SignedIn, queue_held: QueueHeld
) -> None:
    [item] = queue_held(text=XSS + " 50% back", model_text=XSS, findings=[NUMBERS])
    client = signed_in(Role.reviewer)
    for url in (f"/console/reviews/{item}", "/console/reviews"):
        html = client.get(url).text
        assert "<script>window" not in html and "<img src=x" not in html
        assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html
    page = client.get(f"/console/reviews/{item}").text
    assert '<mark class="sev-block"' in page  # numbers.percent spans 0..5
    assert "the numbers check matched" in page  # the finding's explanation


def test_the_queue_filters_by_merchant_channel_check_and_age(
    signed_in: SignedIn, queue_held: QueueHeld
) -> None:
    [sms] = queue_held()
    [push] = queue_held(channel="push", merchant_id="m_skyhop_airways", findings=[NUMBERS])
    client = signed_in(Role.reviewer)

    def shown(**params: str) -> set[int]:
        html = client.get("/console/reviews", params=params).text
        return {i for i in (sms, push) if f'href="/console/reviews/{i}"' in html}

    assert shown() == {sms, push}
    assert shown(channel="push") == {push}
    assert shown(merchant="m_freshmart") == {sms}
    assert shown(check="numbers") == {push}
    assert shown(age="1h") == {sms, push}  # queued now
    assert shown(age="old") == set()
