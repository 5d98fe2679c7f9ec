"""KnowledgeBase: lookups, atomic save, validated load with file:line errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from offergen.errors import ConfigError, NotFoundError
from offergen.retrieval.knowledge_base import KnowledgeBase, read_manifest
from offergen.schemas import MerchantRule


def all_rules(kb: KnowledgeBase) -> list[MerchantRule]:
    return [r for m in kb.merchants() for r in kb.rules(m.id)]


def test_lookups(kb13: KnowledgeBase) -> None:
    merchant = kb13.merchants()[0]
    assert kb13.merchant(merchant.id) == merchant
    rules = kb13.rules(merchant.id)
    assert rules and all(r.merchant_id == merchant.id for r in rules)
    offer = kb13.past_offers()[5]
    assert kb13.past_offer(offer.id) == offer
    mine = kb13.past_offers(merchant.id)
    assert len(mine) == 24 and all(p.merchant_id == merchant.id for p in mine)
    assert kb13.counts() == {"merchants": 13, "rules": len(all_rules(kb13)), "past_offers": 312}


def test_unknown_ids_raise_not_found(kb13: KnowledgeBase) -> None:
    with pytest.raises(NotFoundError, match="unknown merchant 'm_nope'"):
        kb13.merchant("m_nope")
    with pytest.raises(NotFoundError, match="unknown merchant"):
        kb13.rules("m_nope")
    with pytest.raises(NotFoundError, match="unknown merchant"):
        kb13.past_offers("m_nope")
    with pytest.raises(NotFoundError, match="unknown past offer 'po_x'"):
        kb13.past_offer("po_x")


def test_save_load_round_trip(kb13: KnowledgeBase, tmp_path: Path) -> None:
    kb_dir = tmp_path / "kb"
    version = kb13.save(kb_dir)
    assert sorted(p.name for p in kb_dir.iterdir()) == [
        "manifest.json",
        "merchants.jsonl",
        "past_offers.jsonl",
        "rules.jsonl",
    ]  # no temp files left behind
    loaded = KnowledgeBase.load(kb_dir)
    assert loaded.merchants() == kb13.merchants()
    assert loaded.past_offers() == kb13.past_offers()
    assert all_rules(loaded) == all_rules(kb13)
    assert loaded.version == version == kb13.version
    manifest = read_manifest(kb_dir)
    assert manifest == {"version": version, "counts": kb13.counts()}


def test_version_follows_content(kb13: KnowledgeBase) -> None:
    offers = kb13.past_offers()
    changed = offers[0].model_copy(update={"text": offers[0].text + " Terms apply."})
    other = KnowledgeBase(kb13.merchants(), all_rules(kb13), [changed, *offers[1:]])
    same = KnowledgeBase(kb13.merchants(), all_rules(kb13), offers)
    assert same.version == kb13.version != other.version


def _corrupt_line(path: Path, lineno: int, edit: str | None) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    if edit is None:
        record = json.loads(lines[lineno - 1])
        record["sent"] = -5  # fails validation (ge=0)
        lines[lineno - 1] = json.dumps(record)
    else:
        lines[lineno - 1] = edit
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("edit", [None, "{not json", '{"id": "x"}'])
def test_bad_line_names_file_and_line(
    kb13: KnowledgeBase, tmp_path: Path, edit: str | None
) -> None:
    kb13.save(tmp_path)
    _corrupt_line(tmp_path / "past_offers.jsonl", 3, edit)
    with pytest.raises(ConfigError, match=r"past_offers\.jsonl:3: invalid PastOffer"):
        KnowledgeBase.load(tmp_path)


def test_rule_for_unknown_merchant_is_an_error(kb13: KnowledgeBase, tmp_path: Path) -> None:
    kb13.save(tmp_path)
    path = tmp_path / "rules.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["merchant_id"] = "m_ghost"
    lines[0] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown merchant 'm_ghost'"):
        KnowledgeBase.load(tmp_path)


def test_duplicate_ids_are_an_error(kb13: KnowledgeBase) -> None:
    offers = kb13.past_offers()
    with pytest.raises(ConfigError, match="duplicate past offer id"):
        KnowledgeBase(kb13.merchants(), [], [*offers, offers[0]])


def test_missing_kb_tells_the_user_to_seed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="offergen kb seed"):
        KnowledgeBase.load(tmp_path / "nowhere")
    (tmp_path / "kb").mkdir()
    with pytest.raises(ConfigError, match=r"merchants\.jsonl is missing.*offergen kb seed"):
        KnowledgeBase.load(tmp_path / "kb")


def test_failed_save_keeps_the_old_files(
    kb13: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb13.save(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    smaller = KnowledgeBase(kb13.merchants(), [], kb13.past_offers()[:10])

    def boom(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        smaller.save(tmp_path)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before  # old content intact, no temp files left
