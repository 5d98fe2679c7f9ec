"""GET /v1/policies: the packs under guardrails/ and their checks, as the guard runs them."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.api.conftest import MakeApi


def test_lists_every_pack_with_its_checks_in_order(make_api: MakeApi, repo_root: Path) -> None:
    r = make_api().client.get("/v1/policies")
    assert r.status_code == 200, r.text
    packs = {p["name"]: p for p in r.json()}
    files = sorted((repo_root / "guardrails").glob("*.yaml"))
    assert sorted(packs) == [f.stem for f in files]
    for f in files:
        raw = yaml.safe_load(f.read_text())
        pack = packs[f.stem]
        assert pack["description"] == raw["description"]
        assert [c["type"] for c in pack["checks"]] == [c["type"] for c in raw["checks"]]
        for got, spec in zip(pack["checks"], raw["checks"], strict=True):
            assert got["severity"] == spec.get("severity", "block")
            assert got["enabled"] == spec.get("enabled", True)
            assert got["source"] == spec.get("source")
    assert packs["us-default"]["default_for"] == ["US"]
    assert packs["eu-default"]["default_for"] == ["EU"]
    assert packs["input-screening"]["default_for"] == []
