"""Strong hits flag alone, weak ones need corroboration; attack payloads in added test lines.

The lines come from real commits of the security-detector corpus (``benchmarks/security_corpus``,
dev split; attribution per case).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pr_router.changes import analyze
from pr_router.changes._evidence import EVIDENCE, FIX_COMMITS, ORDINARY_COMMITS
from pr_router.changes._strength import (
    BY_DESIGN,
    STRONG,
    Sample,
    count_evidence,
    counts,
    likelihood_ratio,
    strong_categories,
)

from .rule_cases import assert_rule_case, rule_cases, sensitive
from .rule_cases import one_hunk_diff as _diff

PAYLOADS = [
    (
        "attack-payload",
        _diff("tests/special_cases/security_test.py", ['        "../../../../../../etc",']),
        # a test module that puts its parent directory on the import path
        _diff("test/testall.py", ["sys.path.insert(0, '../')"]),
        "cobbler/cobbler d8f60bbf1418 (GPL-2.0: a path-traversal fix's test); "
        "bottlepy/bottle 406974d7c9b6 (MIT)",
    ),
    (
        "attack-payload",
        _diff("test/test_util.py", ['        ("https://" + ("@" * 10000) + "[", False),']),
        # a parser fed a few bytes: no huge input
        _diff("tests/test_http_parser.py", ['        p.feed_data(b"a" * 25)']),
        "urllib3/urllib3 2d4a3fee6de2 (MIT: a ReDoS fix's test); "
        "aio-libs/aiohttp 514567a27d3a (Apache-2.0)",
    ),
    (
        "attack-payload",
        _diff(
            "tests/test_clean.py", ["        '<a href=\"javas&#x09;cript:alert(1)\">alert</a>',"]
        ),
        # ordinary markup in a linkify test
        _diff(
            "bleach/tests/test_links.py",
            ["        linkify('http://ex.mp <a href=\"http://ex.mp/foo\">foo</a>', [ft]))"],
        ),
        "mozilla/bleach c5df5789ec34 (Apache-2.0: an XSS fix's test); "
        "mozilla/bleach db24c3b8822e (Apache-2.0)",
    ),
]

_WEAK_PATH = (
    "synapse/rest/media/v1/filepath.py",
    ["            normalized_path = os.path.normpath(os.path.join(self.real_base_path, path))"],
)  # matrix-org/synapse 91f2bd0907f1 (Apache-2.0)
_WEAK_PARSER = (
    "src/twisted/web/http.py",
    ["            length = int(self._buffer[0:endOfLengthIndex], 16)"],
)  # twisted/twisted 592217e95136 (MIT)
_STRONG_GUARD = (
    "python3/httplib2/__init__.py",
    ['            uri = uri.replace(" ", "%20").replace("\\r", "%0D").replace("\\n", "%0A")'],
)  # httplib2/httplib2 a1457cc31f32 (MIT)


@rule_cases(PAYLOADS)
def test_payload_hits_the_real_line_and_not_its_counterpart(
    rule: str, positive: bytes, negative: bytes, source: str
) -> None:
    assert_rule_case(rule, positive, negative, source)


def test_a_payload_outside_tests_is_no_payload_hit() -> None:
    code = _diff("cobbler/api.py", ['        "../../../../../../etc",'])
    assert "attack-payload" not in sensitive(code)


def test_a_payload_alone_makes_the_change_sensitive() -> None:
    signals = analyze(PAYLOADS[0][1]).signals
    assert signals.security_sensitive
    assert signals.sensitive_reasons[0].startswith("tests/special_cases/security_test.py:10: ")


def test_a_lone_weak_hit_is_kept_but_does_not_flag() -> None:
    signals = analyze(_diff(*_WEAK_PATH)).signals
    assert [h.category for h in signals.sensitive_hits if not h.context] == ["file-paths"]
    assert "file-paths" not in STRONG
    assert not signals.security_sensitive
    assert signals.sensitive_reasons == ()
    assert signals.risk == "medium"


def test_two_weak_categories_corroborate_each_other() -> None:
    data = _diff(*_WEAK_PATH) + _diff(*_WEAK_PARSER)
    signals = analyze(data).signals
    assert {"file-paths", "parsing"} <= {h.category for h in signals.sensitive_hits}
    assert not {"file-paths", "parsing"} & STRONG
    assert signals.security_sensitive
    assert len(signals.sensitive_reasons) == 2


def test_a_strong_hit_flags_alone_with_high_risk() -> None:
    signals = analyze(_diff(*_STRONG_GUARD)).signals
    assert signals.security_sensitive
    assert signals.risk == "high"  # injection-guard is a high-severity sink


def test_strong_categories_follow_the_evidence() -> None:
    evidence, fixes, ordinary = count_evidence(
        [
            Sample(fix=True, categories=frozenset({"guard", "regex"})),
            Sample(fix=True, categories=frozenset({"regex"})),
            Sample(fix=False, categories=frozenset({"guard"})),
            Sample(fix=False, categories=frozenset()),
        ]
    )
    assert evidence == {"guard": (1, 1), "regex": (2, 0)}
    assert (fixes, ordinary) == (2, 2)
    assert likelihood_ratio(2, 0, 2, 2) == pytest.approx(3.0)
    strong = strong_categories(evidence, fixes, ordinary)
    assert strong == BY_DESIGN  # 3.0 and 1.0: neither reaches the ratio
    assert counts({"shell"}, strong)
    assert not counts({"guard"}, strong)
    assert counts({"guard", "regex"}, strong)


def test_the_shipped_strong_set_comes_from_the_shipped_evidence() -> None:
    assert strong_categories(EVIDENCE, FIX_COMMITS, ORDINARY_COMMITS) == STRONG
    assert FIX_COMMITS > 100
    assert ORDINARY_COMMITS > 200
    assert {"guard", "file-paths", "parsing"}.isdisjoint(STRONG)


@pytest.mark.parametrize("script", ["gen_security_flags.py", "gen_security_evidence.py"])
def test_generated_rule_tables_are_current(script: str) -> None:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, str(root / "scripts" / script), "--check"],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
