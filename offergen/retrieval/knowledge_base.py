"""The knowledge base: merchants, their rules and their past offers, stored as JSON lines."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from offergen.errors import ConfigError, NotFoundError
from offergen.schemas import Merchant, MerchantRule, PastOffer

__all__ = ["MANIFEST", "KnowledgeBase", "read_manifest"]

MERCHANTS_FILE = "merchants.jsonl"
RULES_FILE = "rules.jsonl"
PAST_OFFERS_FILE = "past_offers.jsonl"
MANIFEST = "manifest.json"
_SEED_HINT = "run `offergen kb seed` to create it"

_M = TypeVar("_M", bound=BaseModel)


def _jsonl(records: Iterable[BaseModel]) -> bytes:
    return b"".join(r.model_dump_json().encode() + b"\n" for r in records)


def _version(files: dict[str, bytes]) -> str:
    """sha256 over the canonical file contents: equal content <=> equal version."""
    h = hashlib.sha256()
    for name in (MERCHANTS_FILE, RULES_FILE, PAST_OFFERS_FILE):
        h.update(name.encode() + b"\0" + files[name] + b"\0")
    return h.hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_manifest(kb_dir: Path) -> dict[str, Any] | None:
    """The manifest written by `save`, or None when there is none (or it is unreadable)."""
    try:
        data = json.loads((kb_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class KnowledgeBase:
    """In-memory KB with id lookups. Records are validated pydantic models; ids are unique."""

    def __init__(
        self,
        merchants: Iterable[Merchant],
        rules: Iterable[MerchantRule],
        past_offers: Iterable[PastOffer],
    ) -> None:
        self._merchants: dict[str, Merchant] = {}
        for m in merchants:
            if m.id in self._merchants:
                raise ConfigError(f"duplicate merchant id {m.id!r}")
            self._merchants[m.id] = m
        self._rules: dict[str, list[MerchantRule]] = {mid: [] for mid in self._merchants}
        rule_ids: set[str] = set()
        for r in rules:
            if r.merchant_id not in self._merchants:
                raise ConfigError(f"rule {r.id!r} names unknown merchant {r.merchant_id!r}")
            if r.id in rule_ids:
                raise ConfigError(f"duplicate rule id {r.id!r}")
            rule_ids.add(r.id)
            self._rules[r.merchant_id].append(r)
        self._offers: dict[str, PastOffer] = {}
        for p in past_offers:
            if p.merchant_id not in self._merchants:
                raise ConfigError(f"past offer {p.id!r} names unknown merchant {p.merchant_id!r}")
            if p.id in self._offers:
                raise ConfigError(f"duplicate past offer id {p.id!r}")
            self._offers[p.id] = p
        self._version: str | None = None

    # --- lookups -------------------------------------------------------------------------------

    def merchants(self) -> list[Merchant]:
        return list(self._merchants.values())

    def merchant(self, merchant_id: str) -> Merchant:
        try:
            return self._merchants[merchant_id]
        except KeyError:
            raise NotFoundError(f"unknown merchant {merchant_id!r}") from None

    def rules(self, merchant_id: str) -> list[MerchantRule]:
        self.merchant(merchant_id)  # unknown merchant -> NotFoundError, not an empty list
        return list(self._rules[merchant_id])

    def past_offer(self, offer_id: str) -> PastOffer:
        try:
            return self._offers[offer_id]
        except KeyError:
            raise NotFoundError(f"unknown past offer {offer_id!r}") from None

    def past_offers(self, merchant_id: str | None = None) -> list[PastOffer]:
        """All past offers in stored order, or only one merchant's (NotFoundError if unknown)."""
        if merchant_id is None:
            return list(self._offers.values())
        self.merchant(merchant_id)
        return [p for p in self._offers.values() if p.merchant_id == merchant_id]

    def counts(self) -> dict[str, int]:
        return {
            "merchants": len(self._merchants),
            "rules": sum(len(v) for v in self._rules.values()),
            "past_offers": len(self._offers),
        }

    @property
    def version(self) -> str:
        """sha256 of the canonical JSONL serialisation; the index records it so that any KB
        change (even a hand edit that still validates) is detected as a stale index."""
        if self._version is None:
            self._version = _version(self._files())
        return self._version

    # --- persistence ---------------------------------------------------------------------------

    def _files(self) -> dict[str, bytes]:
        rules = [r for rs in self._rules.values() for r in rs]
        return {
            MERCHANTS_FILE: _jsonl(self._merchants.values()),
            RULES_FILE: _jsonl(rules),
            PAST_OFFERS_FILE: _jsonl(self._offers.values()),
        }

    def save(self, kb_dir: Path) -> str:
        """Write the three JSONL files and manifest.json, each atomically; returns the version.

        The manifest goes last: a crash in between leaves a manifest that does not match the files,
        which `offergen kb seed` treats as "needs rebuilding".
        """
        kb_dir.mkdir(parents=True, exist_ok=True)
        files = self._files()
        for name, data in files.items():
            _write_atomic(kb_dir / name, data)
        version = _version(files)
        self._version = version
        manifest = {"version": version, "counts": self.counts()}
        _write_atomic(kb_dir / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
        return version

    @classmethod
    def load(cls, kb_dir: Path) -> KnowledgeBase:
        """Read and validate a saved KB; any problem is a ConfigError naming file and line."""
        if not kb_dir.is_dir():
            raise ConfigError(f"no knowledge base at {kb_dir}: {_SEED_HINT}")
        records: list[list[Any]] = []
        for name, model in (
            (MERCHANTS_FILE, Merchant),
            (RULES_FILE, MerchantRule),
            (PAST_OFFERS_FILE, PastOffer),
        ):
            path = kb_dir / name
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                raise ConfigError(f"knowledge base file {path} is missing: {_SEED_HINT}") from None
            records.append(_parse(path, data, model))
        try:
            return cls(*records)
        except ConfigError as e:
            raise ConfigError(f"knowledge base at {kb_dir} is inconsistent: {e}") from None


def _parse(path: Path, data: bytes, model: type[_M]) -> list[_M]:
    out: list[_M] = []
    for lineno, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(model.model_validate_json(line))
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "line"
            raise ConfigError(
                f"{path}:{lineno}: invalid {model.__name__}: {where}: {first['msg']}"
            ) from None
    return out
