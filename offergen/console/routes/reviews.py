"""Reviews: the queue, one item, approve / reject (reviewer role, as /v1/reviews)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from offergen.console.deps import ConsoleDep, FormDep, Reviewer
from offergen.console.errors import ConsoleRoute
from offergen.console.pages import redirect, render
from offergen.console.views import reviews

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

ReviewId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Filter = Annotated[str, Query(max_length=64)]


@router.get("/reviews")
def queue_page(
    request: Request,
    user: Reviewer,
    console: ConsoleDep,
    merchant: Filter = "",
    channel: Filter = "",
    check: Filter = "",
    age: Filter = "",
) -> Response:
    flt = reviews.QueueFilter(merchant, channel, check, age if age in reviews.AGES else "")
    view = reviews.queue(console.ctx, user.principal, flt)
    return render(
        console.env, request, "reviews.html", user=user, section="reviews", title="Reviews",
        view=view, flt=flt, ages=reviews.AGES, channels=["sms", "push", "email", "in_app"],
    )  # fmt: skip


@router.get("/reviews/{review_id}")
def item_page(
    request: Request, review_id: ReviewId, user: Reviewer, console: ConsoleDep
) -> Response:
    view = reviews.item(console.ctx, user.principal, review_id)
    return render(
        console.env, request, "review.html", user=user, section="reviews",
        title=f"Review item {review_id}", view=view, codes=reviews.REASON_CODES,
    )  # fmt: skip


@router.post("/reviews/{review_id}/decision")
def decide(review_id: ReviewId, user: Reviewer, form: FormDep, console: ConsoleDep) -> Response:
    reviews.decide(
        console.ctx,
        user.principal,
        review_id,
        form.get("decision"),
        form.get("reason_code"),
        form.get("note"),
    )
    return redirect(f"/console/reviews/{review_id}")
