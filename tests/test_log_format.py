from __future__ import annotations

import contextvars
import io
import json
import logging
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from offergen.log_format import (
    JsonFormatter,
    configure_logging,
    request_id_var,
    stamp_request_ids,
)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, logging.getLogRecordFactory())
    access = logging.getLogger("uvicorn.access")
    saved_access = access.disabled
    yield
    root.handlers, _, factory = saved
    root.setLevel(saved[1])
    logging.setLogRecordFactory(factory)
    access.disabled = saved_access


def _record(msg: str, *args: Any, **extra: Any) -> logging.LogRecord:
    record = logging.getLogger("offergen.test").makeRecord(
        "offergen.test", logging.WARNING, __file__, 1, msg, args, None, extra=extra
    )
    return record


def test_a_line_is_one_json_object_with_the_standard_fields() -> None:
    token = request_id_var.set("rid-123")
    try:
        line = JsonFormatter().format(_record("held %d of %d", 2, 3, route="/v1/x"))
    finally:
        request_id_var.reset(token)
    assert "\n" not in line
    out = json.loads(line)
    assert out["level"] == "WARNING" and out["logger"] == "offergen.test"
    assert out["message"] == "held 2 of 3"
    assert out["request_id"] == "rid-123"
    assert out["route"] == "/v1/x"  # `extra=` fields become fields
    assert out["time"].endswith("+00:00")
    assert not {"args", "msg", "levelno", "pathname"} & set(out)


def test_an_exception_is_logged_as_type_and_frames_without_its_message() -> None:
    card = "41" + "11" * 7  # built at run time: the frames quote source lines, not values
    try:
        raise ValueError(f"card {card} rejected")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    out = json.loads(JsonFormatter().format(record))
    assert out["error"] == "ValueError" and "test_log_format.py" in out["stack"]
    assert card not in json.dumps(out)


def test_stamped_records_keep_the_id_of_the_request_they_were_made_in(
    restore_logging: None,
) -> None:
    stamp_request_ids()
    stamp_request_ids()  # idempotent: not wrapped twice
    made: list[logging.LogRecord] = []

    def serve() -> None:  # what a sync route does: runs in a worker thread, in a copied context
        made.append(_record("in the worker"))

    token = request_id_var.set("rid-thread")
    try:
        ctx = contextvars.copy_context()
    finally:
        request_id_var.reset(token)
    worker = threading.Thread(target=ctx.run, args=(serve,))
    worker.start()
    worker.join()
    assert request_id_var.get() is None
    assert json.loads(JsonFormatter().format(made[0]))["request_id"] == "rid-thread"


def test_configure_logging_routes_everything_to_one_json_handler(
    restore_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    configure_logging("INFO")
    logging.getLogger("uvicorn.error").info("started")
    logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET /x?card=4111 HTTP/1.1" 200')
    logging.getLogger("offergen.y").debug("below the level")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(x["logger"], x["message"]) for x in lines] == [("uvicorn.error", "started")]


def test_plain_text_remains_available(
    restore_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    configure_logging("INFO", json_lines=False)
    logging.getLogger("offergen.z").info("hello")
    assert stream.getvalue().rstrip().endswith("INFO offergen.z: hello")
