"""A small, real OpenAI-compatible server that stands in for vLLM where a test needs a server
process to kill, stop or slow down but not a model: `GET /v1/models` and `POST /v1/completions`
(each completion after `delay` seconds, the same releasable copy every time).

In a thread: `FakeVllm(port, delay).start()` / `.stop()`; it counts requests in flight. As a
process it takes vLLM's own command line (`... -m vllm.entrypoints.openai.api_server --port P
--served-model-name M ...`, unknown flags ignored), so a profile whose `server.python` runs this
file is started and supervised exactly like the real server.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

COPY = "Get 5% cashback at FreshMart. Terms apply."


class FakeVllm:
    def __init__(self, port: int, delay: float = 0.0, model: str = "google/gemma-3-270m") -> None:
        self.port = port
        self.delay = delay
        self.model = model
        self.completions = 0  # requests answered
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeVllm:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def serve_forever(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self._server.daemon_threads = True
        self._server.serve_forever()

    def complete(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(self.delay)
        finally:
            with self._lock:
                self.in_flight -= 1
                self.completions += 1
        n = int(body.get("n", 1))
        return {
            "choices": [{"index": i, "text": COPY, "finish_reason": "stop"} for i in range(n)],
            "usage": {"prompt_tokens": 10, "completion_tokens": 8 * n},
        }


def _handler(fake: FakeVllm) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, data: dict[str, Any]) -> None:
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            if self.path == "/v1/models":
                self._send(200, {"data": [{"id": fake.model}]})
            else:
                self._send(404, {"error": {"message": "not found"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path == "/v1/completions":
                self._send(200, fake.complete(body))
            else:
                self._send(404, {"error": {"message": "not found"}})

    return Handler


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--served-model-name", default="google/gemma-3-270m")
    parser.add_argument("--fake-delay", type=float, default=0.0)
    args, _ = parser.parse_known_args(argv)
    FakeVllm(args.port, args.fake_delay, args.served_model_name).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
