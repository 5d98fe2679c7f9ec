"""Prometheus metrics of the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from offergen.api.metrics import CONTENT_TYPE_LATEST, ApiMetrics, app_metrics

router = APIRouter(tags=["metrics"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "description": "Prometheus text exposition format",
            "content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}},
        }
    },
    summary="Request counts and latencies per route, stage latencies, variants and findings",
)
def metrics(metrics: Annotated[ApiMetrics, Depends(app_metrics)]) -> Response:
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
