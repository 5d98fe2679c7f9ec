"""What the console keeps beside the API's application context, made on first use (creating
the app touches nothing on disk)."""

from __future__ import annotations

from functools import cached_property

from jinja2 import Environment

from offergen.api.auth import KeyChecker
from offergen.api.principal import Principal
from offergen.api.service import Service
from offergen.app_context import AppContext
from offergen.console.eval_jobs import EvalJobs
from offergen.console.pages import environment
from offergen.console.secret import console_secret
from offergen.console.session import Session, SessionStore
from offergen.console.tokens import TokenCounter
from offergen.errors import NotFoundError


class Console:
    def __init__(self, ctx: AppContext, service: Service, checker: KeyChecker) -> None:
        self.ctx = ctx
        self.service = service  # the API's: pages and routes do the same thing
        self.checker = checker

    @cached_property
    def secret(self) -> bytes:
        return console_secret(self.ctx.settings)

    @cached_property
    def sessions(self) -> SessionStore:
        return SessionStore(self.ctx.settings.data_dir / "console" / "sessions", self.secret)

    @cached_property
    def env(self) -> Environment:
        return environment()

    @cached_property
    def evals(self) -> EvalJobs:
        return EvalJobs(self.ctx.settings)

    @cached_property
    def tokens(self) -> TokenCounter:
        ctx = self.ctx
        return TokenCounter(ctx.profile.checkpoint_dir(ctx.settings.checkpoints_dir))

    def sign_in(self, api_key: str) -> Principal | None:
        """The API's check of a key (an empty one: keyless dev mode, where the API allows it)."""
        return self.checker.principal(self.ctx.keys, api_key.strip() or None)

    def principal(self, session: Session) -> Principal | None:
        """The session's key, checked again now: revoked or deleted keys sign their sessions
        out, and a keyless session ends once the first key exists."""
        if session.key_id is None:
            return self.checker.principal(self.ctx.keys, None)
        try:
            info = self.ctx.keys.get(session.key_id)
        except NotFoundError:
            return None
        return Principal.of(info) if info.active else None
