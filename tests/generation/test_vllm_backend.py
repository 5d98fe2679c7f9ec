"""VllmBackend against servers that fail in known ways (small real HTTP servers), and against a
real vLLM (CPU build) server started once per test session (or reused when one is serving)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from offergen.errors import BackendError
from offergen.generation.base import GenerationParams
from offergen.generation.profiles import ModelProfile
from offergen.generation.vllm_backend import VllmBackend

MODEL = "google/gemma-3-270m"


class Scripted(BaseHTTPRequestHandler):
    """Answers with the next (status, body) of the server's script; records request bodies."""

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.server.bodies.append(json.loads(self.rfile.read(length)))  # type: ignore[attr-defined]
        self._answer()

    def _answer(self) -> None:
        script: list[tuple[int, Any, float]] = self.server.script  # type: ignore[attr-defined]
        status, body, delay = script.pop(0) if len(script) > 1 else script[0]
        time.sleep(delay)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    httpd.script = []  # type: ignore[attr-defined]
    httpd.bodies = []  # type: ignore[attr-defined]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()


def _url(httpd: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def _completion(texts: list[str], finish: str = "stop") -> dict[str, Any]:
    return {
        "choices": [{"index": i, "text": t, "finish_reason": finish} for i, t in enumerate(texts)],
        "usage": {"prompt_tokens": 40, "completion_tokens": 12 * len(texts)},
    }


def test_request_body_and_parsing(server: ThreadingHTTPServer) -> None:
    server.script = [(200, _completion(["Get 5% back.\nmore", "Hi"], finish="length"), 0)]  # type: ignore[attr-defined]
    backend = VllmBackend(_url(server), MODEL)
    params = GenerationParams(
        n=2, max_new_tokens=30, stop=("\n",), seed=7, temperature=0.5, pattern=r"[^\n]{1,160}"
    )
    result = backend.generate("Copy:", params)
    body = server.bodies[0]  # type: ignore[attr-defined]
    assert body == {
        "model": MODEL,
        "n": 2,
        "max_tokens": 30,
        "temperature": 0.5,
        "top_p": 0.95,
        "repetition_penalty": 1.0,
        "stop": ["\n"],
        "seed": 7,
        "structured_outputs": {"regex": r"[^\n]{1,160}"},
        "prompt": "Copy:",
    }
    assert [c.text for c in result.completions] == ["Get 5% back.", "Hi"]
    # cut at a stop string: stopped; otherwise the server's "length" stands
    assert [c.finish_reason for c in result.completions] == ["stop", "length"]
    assert (result.prompt_tokens, result.completion_tokens) == (40, 24)
    backend.close()


def test_chat_style_uses_messages(server: ThreadingHTTPServer) -> None:
    reply = {"choices": [{"index": 0, "message": {"content": "Hello"}, "finish_reason": "stop"}]}
    server.script = [(200, reply, 0)]  # type: ignore[attr-defined]
    backend = VllmBackend(_url(server), MODEL, prompt_style="chat")
    assert backend.generate("Write copy", GenerationParams()).completions[0].text == "Hello"
    assert server.bodies[0]["messages"] == [{"role": "user", "content": "Write copy"}]  # type: ignore[attr-defined]


def test_retries_5xx_with_backoff_then_succeeds(server: ThreadingHTTPServer) -> None:
    server.script = [(503, {}, 0), (500, {}, 0), (200, _completion(["ok"]), 0)]  # type: ignore[attr-defined]
    backend = VllmBackend(_url(server), MODEL, retries=2, backoff_s=0.01)
    assert backend.generate("p", GenerationParams()).completions[0].text == "ok"
    assert len(server.bodies) == 3  # type: ignore[attr-defined]


def test_gives_up_and_does_not_retry_4xx(server: ThreadingHTTPServer) -> None:
    server.script = [(503, {}, 0)]  # type: ignore[attr-defined]
    backend = VllmBackend(_url(server), MODEL, retries=2, backoff_s=0.01)
    with pytest.raises(BackendError, match="answered 503; gave up after 3 attempts"):
        backend.generate("p", GenerationParams())
    server.script = [(400, {"error": {"message": "max_tokens is too large"}}, 0)]  # type: ignore[attr-defined]
    server.bodies.clear()  # type: ignore[attr-defined]
    with pytest.raises(
        BackendError, match="rejected the request \\(400\\): max_tokens is too large"
    ):
        backend.generate("p", GenerationParams())
    assert len(server.bodies) == 1  # type: ignore[attr-defined]


def test_slow_server_times_out(server: ThreadingHTTPServer) -> None:
    server.script = [(200, _completion(["late"]), 1.0)]  # type: ignore[attr-defined]
    backend = VllmBackend(_url(server), MODEL, timeout_s=0.2)
    with pytest.raises(BackendError, match=r"did not answer within 0\.2 s"):
        backend.generate("p", GenerationParams())


def test_server_down_fails_fast_and_clearly() -> None:
    backend = VllmBackend("http://127.0.0.1:9", MODEL, retries=1, backoff_s=0.01)
    started = time.perf_counter()
    with pytest.raises(
        BackendError, match=r"cannot reach the vLLM server at http://127\.0\.0\.1:9"
    ):
        backend.warm_up()
    assert time.perf_counter() - started < 5


def test_warm_up_checks_the_served_model(server: ThreadingHTTPServer) -> None:
    server.script = [(200, {"data": [{"id": "other/model"}]}, 0)]  # type: ignore[attr-defined]
    with pytest.raises(BackendError, match="serves \\['other/model'\\], not 'google/gemma-3-270m'"):
        VllmBackend(_url(server), MODEL).warm_up()


def test_concurrent_callers_share_one_client(server: ThreadingHTTPServer) -> None:
    server.script = [(200, _completion(["x"]), 0.05)]  # type: ignore[attr-defined]
    backend = VllmBackend(_url(server), MODEL, max_concurrency=4)
    results: list[str] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(
                backend.generate("p", GenerationParams()).completions[0].text
            )
        )
        for _ in range(12)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["x"] * 12


# --- against the real server -------------------------------------------------------------


@pytest.fixture(scope="session")
def backend(vllm_profile: ModelProfile) -> Iterator[VllmBackend]:
    b = VllmBackend(vllm_profile.server.url, vllm_profile.model_id)
    b.warm_up()
    yield b
    b.close()


PROMPT = (
    "FreshMart marketing archive.\n\nTerms: 5% cashback; min spend $50\nChannel: sms\n"
    "Copy: FreshMart: get 5% cash back when you spend $50+. Terms apply.\n\n"
    "Terms: 10% off; min spend $30\nChannel: sms\nCopy:"
)


@pytest.mark.model
def test_n_variants_with_stop_and_token_counts(backend: VllmBackend) -> None:
    # The few-shot prompt all but dictates its copy: at the default temperature four samples
    # were once the same text (1 CI run); hotter, they still stop at the line end.
    params = GenerationParams(n=4, max_new_tokens=40, stop=("\n",), temperature=1.5)
    result = backend.generate(PROMPT, params)
    assert len(result.completions) == 4
    assert all("\n" not in c.text for c in result.completions)
    assert result.prompt_tokens > 20 and result.completion_tokens > 0
    assert len({c.text for c in result.completions}) > 1  # sampled, not one text four times


@pytest.mark.model
def test_seed_makes_sampling_reproducible(backend: VllmBackend) -> None:
    params = GenerationParams(n=2, max_new_tokens=30, stop=("\n",), seed=11)
    # With prefix caching, a request whose prompt blocks are computed anew can sample otherwise
    # than one that reads them from the cache (vllm-project/vllm#40896; 1 CI run here): the
    # first call puts the prompt in the cache, the next two read it alike.
    backend.generate(PROMPT, params)
    a = [c.text for c in backend.generate(PROMPT, params).completions]
    b = [c.text for c in backend.generate(PROMPT, params).completions]
    assert a == b


@pytest.mark.model
def test_structured_output_pattern_is_enforced(backend: VllmBackend) -> None:
    pattern = r" [A-Za-z0-9 ,.%$!]{1,40}"
    params = GenerationParams(n=3, max_new_tokens=30, pattern=pattern)
    for c in backend.generate(PROMPT, params).completions:
        assert re.fullmatch(pattern, c.text), c.text
