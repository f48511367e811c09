"""The JSON Schema: generated from the models, committed, and checked for staleness."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pr_router.policy.schema import SCHEMA_ID, policy_json_schema, render_schema

from .conftest import POLICIES, ROOT


def _gen_schema_module() -> Any:
    import importlib.util
    import sys

    if str(ROOT / "scripts") not in sys.path:  # as when the script runs: its helpers beside it
        sys.path.insert(0, str(ROOT / "scripts"))

    spec = importlib.util.spec_from_file_location("gen_schema", ROOT / "scripts" / "gen_schema.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_schema_is_up_to_date() -> None:
    assert (POLICIES / "schema.json").read_text(encoding="utf-8") == render_schema()


def test_schema_has_identity_and_title() -> None:
    schema = policy_json_schema()
    assert schema["$id"] == SCHEMA_ID
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "pr-router policy"
    assert schema["required"] == ["tiers"]


def test_every_property_is_described() -> None:
    schema = policy_json_schema()
    models = [schema, *schema["$defs"].values()]
    missing = [
        f"{model['title']}.{name}"
        for model in models
        for name, prop in model["properties"].items()
        if not prop.get("description")
    ]
    assert missing == []


def test_schema_uses_the_yaml_key_names() -> None:
    defs = policy_json_schema()["$defs"]
    assert {"class", "if", "then"} <= set(defs["Rule"]["properties"])
    assert "class" in defs["JobSpec"]["properties"]


def test_rendering_is_sorted_indented_and_ends_with_a_newline() -> None:
    text = render_schema()
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_gen_schema_check_passes_on_the_committed_files() -> None:
    assert _gen_schema_module().main(["--check"]) == 0


def test_gen_schema_check_fails_then_write_fixes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    module = _gen_schema_module()
    stale = tmp_path / "policies" / "schema.json"
    stale.parent.mkdir()
    stale.write_text("{}\n")
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "ARTIFACTS", {stale: render_schema})
    assert module.main(["--check"]) == 1
    assert "policies/schema.json is stale" in capsys.readouterr().err
    assert module.main([]) == 0
    assert stale.read_text() == render_schema()
    assert module.main(["--check"]) == 0
