"""Structured logs: one JSON object per line, with the id of the request being served.

What a line holds is what the code logged: the API logs route templates, status codes and
durations, never bodies, query values or headers. An exception is logged as its type and frames
only, because its message may quote request content."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

__all__ = ["JsonFormatter", "configure_logging", "request_id_var", "stamp_request_ids"]

# Set by the API's middleware for the duration of a request; threads that serve the request
# (sync routes) run in a copy of this context, so their log lines carry the id too.
request_id_var: ContextVar[str | None] = ContextVar("offergen_request_id", default=None)

# Attributes every LogRecord has; anything else was passed with `extra=` and becomes a field.
_RECORD_FIELDS = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None)).keys()
) | {"message", "asctime", "taskName"}

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            # stamped when the record was made; a record made before stamping: the id now
            "request_id": vars(record).get("request_id", request_id_var.get()),
        }
        line |= {k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS | line.keys()}
        if record.exc_info and record.exc_info[0] is not None:
            line["error"] = record.exc_info[0].__name__
            line["stack"] = "".join(traceback.format_tb(record.exc_info[2]))
        return json.dumps(line, default=str, ensure_ascii=False)


def stamp_request_ids() -> None:
    """Give every log record made from now on the id of the request it was made in (as the
    attribute `request_id`), whichever handler or thread formats it later. Idempotent."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "stamps_request_ids", False):
        return

    def stamped(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        record.request_id = request_id_var.get()
        return record

    stamped.stamps_request_ids = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(stamped)


def configure_logging(level: str = "INFO", *, json_lines: bool = True) -> None:
    """Route every logger (uvicorn's too) to one stderr handler, as JSON lines or plain text.

    uvicorn's own access log is switched off: it writes the raw path with its query string. The
    API writes an access line of its own (`offergen.access`) with the route template instead.
    Run uvicorn with `log_config=None, access_log=False` so that it keeps this setup."""
    stamp_request_ids()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per vLLM call drowns the rest
