"""GET /v1/templates: what `offergen prompt list` shows, as JSON."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from offergen.prompting.jinja_renderer import JinjaPromptRenderer
from offergen.schemas import Channel
from tests.api.conftest import Api, MakeApi


@pytest.fixture
def api(make_api: MakeApi) -> Api:
    return make_api()


def test_lists_every_template_with_its_variants_and_versions(api: Api) -> None:
    renderer = api.ctx.pipeline.grounder.renderer
    assert isinstance(renderer, JinjaPromptRenderer)
    r = api.client.get("/v1/templates")
    assert r.status_code == 200, r.text
    templates = {t["name"]: t for t in r.json()}
    assert sorted(templates) == renderer.names() and len(templates) >= 2
    for name, t in templates.items():
        base = renderer.load(name)
        assert (t["version"], t["style"], t["description"]) == (
            base.version,
            base.sidecar.style,
            base.sidecar.description,
        )
        assert [v["channel"] for v in t["variants"]] == [c.value for c in renderer.variants(name)]
        for v in t["variants"]:
            loaded = renderer.load(name, Channel(v["channel"]))
            assert v["version"] == loaded.version != base.version
    assert [n for n, t in templates.items() if t["default"]] == [api.ctx.pipeline.grounder.template]
    # the channel variants of the default template are there (push, email at least)
    assert {"push", "email"} <= {v["channel"] for v in templates["offer_copy"]["variants"]}


def test_a_template_added_to_the_folder_is_listed(api: Api, tmp_path: Path) -> None:
    renderer = api.ctx.pipeline.grounder.renderer
    assert isinstance(renderer, JinjaPromptRenderer)
    prompts = tmp_path / "prompts"
    shutil.copytree(renderer.prompts_dir, prompts)
    shutil.copy(prompts / "offer_copy_chat.j2", prompts / "promo_chat.j2")
    sidecar = yaml.safe_load((prompts / "offer_copy_chat.yaml").read_text())
    (prompts / "promo_chat.yaml").write_text(
        yaml.safe_dump(sidecar | {"description": "A promo prompt."})
    )
    api.ctx.pipeline.grounder.renderer = JinjaPromptRenderer(prompts)
    listed = {t["name"]: t for t in api.client.get("/v1/templates").json()}
    assert listed["promo_chat"]["description"] == "A promo prompt."
    assert listed["promo_chat"]["variants"] == [] and not listed["promo_chat"]["default"]
