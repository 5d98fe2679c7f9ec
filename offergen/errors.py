"""Errors the core raises; the API maps each to one HTTP status in one place."""

from __future__ import annotations


class OffergenError(Exception):
    """Base class: the message is safe to show to a caller (no PII, no secrets)."""


class NotFoundError(OffergenError):
    """A named thing (merchant, template, profile) does not exist."""


class ConfigError(OffergenError):
    """A settings value, profile, template or policy pack is invalid."""


class NotReadyError(OffergenError):
    """The service is still loading its model or index."""


class BackendError(OffergenError):
    """The generation backend failed to produce text."""


class InvalidInputError(OffergenError):
    """A well-formed request whose content may not be processed (e.g. PII in free text)."""

    def __init__(self, message: str, fields: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.fields = fields  # (field path, reason); never the submitted value


class ConflictError(OffergenError):
    """The request conflicts with the state it would change (e.g. a review already decided)."""
