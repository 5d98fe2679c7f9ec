"""Errors the core raises; the API maps each to one HTTP status in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from offergen.schemas import TermsFinding


class OffergenError(Exception):
    """Base class: the message is safe to show to a caller (no PII, no secrets)."""

    # For a transient failure (503): seconds until it is expected to be over, where known.
    retry_after_s: int | None = None


class NotFoundError(OffergenError):
    """A named thing (merchant, template, profile) does not exist."""


class ConfigError(OffergenError):
    """A settings value, profile, template or policy pack is invalid."""


class NotReadyError(OffergenError):
    """The service is still loading its model or index."""

    def __init__(self, message: str, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class BackendError(OffergenError):
    """The generation backend failed to produce text."""

    def __init__(self, message: str, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class InvalidInputError(OffergenError):
    """A well-formed request whose content may not be processed (e.g. PII in free text)."""

    def __init__(self, message: str, fields: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.fields = fields  # (field path, reason); never the submitted value


class TermsRefusedError(InvalidInputError):
    """Offer terms that break a merchant rule or a pack requirement (offer pre-flight): no copy
    could be released for them, so none is generated."""

    def __init__(self, findings: list[TermsFinding]) -> None:
        rules = ", ".join(dict.fromkeys(f.rule_id for f in findings))
        super().__init__(
            f"the offer terms break {len(findings)} rule(s) ({rules}); nothing was generated",
            self.problems(findings),
        )
        self.findings = findings

    @staticmethod
    def problems(findings: list[TermsFinding]) -> list[tuple[str, str]]:
        """(field path, reason) per finding, the shape every other refusal has."""
        return [(f.field, f"{f.message} ({f.rule_id})") for f in findings]


class ConflictError(OffergenError):
    """The request conflicts with the state it would change (e.g. a review already decided)."""
