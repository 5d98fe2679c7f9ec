"""Where an eval run gets its application context: the prepared model checkpoint, knowledge base
and index of the configured data dir, read as they are, with the audit trail (and review queue)
of the run written to `<out>/audit.db`, so evals never enter the serving audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from offergen.app_context import AppContext, open_context
from offergen.config import Settings
from offergen.generation.vllm_server import llm_server
from offergen.store.database import Database

AUDIT_DB = "audit.db"
VLLM_LOG = "vllm.log"


def eval_settings(
    base: Settings, profile: str | None, seed: int, max_attempts: int | None
) -> Settings:
    update: dict[str, object] = {"seed": seed}
    if profile is not None:
        update["model_profile"] = profile
    if max_attempts is not None:
        update["max_attempts"] = max_attempts
    return base.model_copy(update=update)


@contextmanager
def eval_context(settings: Settings, out_dir: Path) -> Iterator[AppContext]:
    """A context for `settings` with a warmed-up pipeline whose audit goes to `out_dir`. With a
    vllm profile (and OFFERGEN_LLM_SERVER=spawn) the server already serving the profile's URL is
    used, or one is started for the run, logging to `out_dir/vllm.log`, and stopped after it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    audit_db = Database(f"sqlite:///{(out_dir / AUDIT_DB).resolve()}")
    with ExitStack() as stack:
        ctx = stack.enter_context(open_context(settings, audit_database=audit_db))
        # The server's own output goes to a file next to the reports, not to the terminal.
        server = stack.enter_context(llm_server(ctx.llm_server(out_dir / VLLM_LOG)))
        if server is not None:
            server.wait()
        ctx.pipeline.warm_up()
        yield ctx
