"""Which providers a run gets from its environment, and what a missing key says."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from pr_router.errors import MissingKeyError
from pr_router.providers.anthropic import AnthropicProvider
from pr_router.providers.openai import OpenAIProvider
from pr_router.providers.registry import build_providers

SECRET = "sk-ant-very-secret-value"


def test_no_keys_means_no_providers_and_a_message_per_provider() -> None:
    providers = build_providers({})

    assert len(providers) == 0
    assert dict(providers.missing) == {
        "anthropic": "No key found for anthropic - set ANTHROPIC_API_KEY or pass "
        "anthropic-api-key to the action",
        "openai": "No key found for openai - set OPENAI_API_KEY or pass openai-api-key to the action",
    }


def test_blank_keys_count_as_missing() -> None:
    providers = build_providers({"ANTHROPIC_API_KEY": "  ", "OPENAI_API_KEY": ""})

    assert set(providers) == set()


def test_keys_and_base_urls_from_the_environment() -> None:
    providers = build_providers(
        {
            "ANTHROPIC_API_KEY": SECRET,
            "ANTHROPIC_BASE_URL": "http://127.0.0.1:9/",
            "OPENAI_API_KEY": "sk-openai",
        }
    )
    try:
        anthropic = providers["anthropic"]
        assert isinstance(anthropic, AnthropicProvider)
        assert anthropic.base_url == "http://127.0.0.1:9/"
        assert isinstance(providers["openai"], OpenAIProvider)
        assert providers["openai"].base_url == "https://api.openai.com/v1"
    finally:
        providers.close()


def test_explicit_overrides_win_over_the_environment() -> None:
    providers = build_providers(
        {"OPENAI_API_KEY": "from-env", "OPENAI_BASE_URL": "http://env.invalid/v1"},
        keys={"anthropic": SECRET},
        base_urls={"openai": "http://127.0.0.1:9/v1"},
    )
    try:
        assert set(providers) == {"anthropic", "openai"}
        assert providers["openai"].base_url == "http://127.0.0.1:9/v1"  # type: ignore[attr-defined]
    finally:
        providers.close()


def test_require_raises_the_missing_key_message() -> None:
    providers = build_providers({})

    with pytest.raises(MissingKeyError) as info:
        providers.require("openai")

    assert str(info.value).startswith("No key found for openai - set OPENAI_API_KEY")
    assert info.value.provider == "openai"


def test_keys_never_show_in_reprs_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    providers = build_providers({"ANTHROPIC_API_KEY": SECRET, "OPENAI_API_KEY": SECRET})
    try:
        shown = repr(providers) + str(providers) + repr(list(providers.values()))
        assert SECRET not in shown
        assert SECRET not in caplog.text
    finally:
        providers.close()


def test_importing_the_executor_and_registry_loads_no_vendor_sdk() -> None:
    code = (
        "import sys, pr_router, pr_router.execute, pr_router.providers.registry, "
        "pr_router.providers.base\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('anthropic', 'openai')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout

    assert out.strip() == "[]"
