"""compute_signals / analyze: every Signals field, ignore globs, public API detection."""

from __future__ import annotations

import pytest

from pr_router import changes
from pr_router.changes import analyze, compute_signals, parse_diff, public_api_changed
from pr_router.changes._signals import summarize_reasons
from pr_router.changes.model import SensitiveHit
from pr_router.tokens import estimate_tokens, tokens_for_length

from .corpus import local


def test_public_names_are_sorted_and_exported() -> None:
    assert changes.__all__ == sorted(changes.__all__)
    assert all(hasattr(changes, name) for name in changes.__all__)


def test_signals_of_a_real_code_change() -> None:
    data = local("real/werkzeug__7298c487c38c.diff")
    signals = analyze(data).signals
    assert (signals.files_changed, signals.lines_added, signals.lines_removed) == (4, 47, 43)
    assert signals.file_kinds == {"code": 2, "docs": 1, "test": 1}
    assert signals.code_changed
    assert not signals.docs_only
    assert signals.security_sensitive
    # high: guards change inside the header parser (parse_options_header) and the form parser
    assert signals.risk == "high"
    assert signals.estimated_diff_tokens == estimate_tokens(data.decode())
    assert signals.modules == (".", "tests", "werkzeug")
    assert signals.changelog_touched  # CHANGES.rst
    assert not signals.public_api_changed  # bodies change, no def/class line does
    assert signals.scope == 3
    assert signals.changed_lines == 90


def test_signals_of_docs_only_change() -> None:
    signals = analyze(local("real/urllib3__c823dc9e7009.diff")).signals
    assert signals.docs_only
    assert not signals.code_changed
    assert not signals.public_api_changed
    assert signals.file_kinds == {"asset": 4, "docs": 2}


def test_ci_only_change_is_not_code() -> None:
    signals = analyze(local("real/urllib3__9353973654e0.diff")).signals
    assert signals.file_kinds == {"ci": 3}
    assert not signals.code_changed
    assert not signals.docs_only


def test_ignore_globs_drop_files_and_recompute() -> None:
    data = local("real/werkzeug__7298c487c38c.diff")
    result = analyze(data, ignore=["tests/", "*.rst"])
    assert result.ignored == ("CHANGES.rst", "tests/test_formparser.py")
    assert [f.path for f in result.files] == ["werkzeug/formparser.py", "werkzeug/http.py"]
    assert result.signals.files_changed == 2
    assert not result.signals.changelog_touched
    assert result.signals.file_kinds == {"code": 2}


def test_negated_ignore_globs_keep_files() -> None:
    data = local("real/werkzeug__7298c487c38c.diff")
    result = analyze(data, ignore=["*.py", "!werkzeug/http.py"])
    assert [f.path for f in result.files] == ["CHANGES.rst", "werkzeug/http.py"]


def test_everything_ignored_gives_zero_signals() -> None:
    result = analyze(local("real/urllib3__780c64494a42.diff"), ignore=["**"])
    assert result.files == ()
    assert result.ignored == ("CHANGES.rst",)
    signals = result.signals
    assert (signals.files_changed, signals.lines_added, signals.estimated_diff_tokens) == (0, 0, 0)
    assert signals.file_kinds == {}
    assert (signals.code_changed, signals.docs_only, signals.security_sensitive) == (
        False,
        False,
        False,
    )
    assert signals.risk == "low"


def test_token_estimate_matches_the_shared_formula() -> None:
    for length in (0, 1, 3, 4, 5, 1000):
        assert tokens_for_length(length) == estimate_tokens("x" * length)
    files = parse_diff(local("real/werkzeug__7298c487c38c.diff"))
    approximate = compute_signals(files).estimated_diff_tokens
    exact = estimate_tokens(local("real/werkzeug__7298c487c38c.diff").decode())
    assert 0.7 * exact < approximate < 1.3 * exact


def _hit(n: int, category: str = "auth", source: str = "content") -> SensitiveHit:
    """A hit with reason number ``n``."""
    return SensitiveHit("a.py", category, f"a.py:{n}: reason", n, source, "high")  # type: ignore[arg-type]


def test_reasons_are_deduplicated_strongest_first_and_capped() -> None:
    # content before path hits, then by category strength, then in diff order
    hits = [_hit(1, "auth", "path"), _hit(2), _hit(2), _hit(3, "shell"), _hit(4)]
    assert summarize_reasons(hits) == (
        "a.py:3: reason",
        "a.py:2: reason",
        "a.py:4: reason",
        "a.py:1: reason",
    )
    many = summarize_reasons([_hit(n) for n in range(30)])
    assert len(many) == 20
    assert many[-1] == "... and 11 more"


def _one_file(path: str, lines: list[str]) -> bytes:
    """A diff adding ``lines`` to ``path``."""
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n"
        f"@@ -10,0 +11,{len(lines)} @@\n{body}"
    ).encode()


@pytest.mark.parametrize(
    ("path", "line", "public"),
    [
        ("pkg/api.py", "def fetch(url):", True),
        ("pkg/api.py", "def _fetch(url):", False),
        ("pkg/api.py", "    def method(self):", False),
        ("pkg/api.py", "class Client:", True),
        ("pkg/api.py", "async def stream():", True),
        ("pkg/api.py", "__all__ = ['Client']", True),
        ("pkg/cli.py", '    parser.add_argument("--dry-run", action="store_true")', True),
        ("pkg/cli.py", '@click.option("--force")', True),
        ("cmd/main.go", "func Serve(addr string) error {", True),
        ("cmd/main.go", "func serve(addr string) error {", False),
        ("cmd/main.go", "func (s *Server) Close() error {", True),
        ("web/index.ts", "export function render() {}", True),
        ("web/index.ts", "function render() {}", False),
        ("src/lib.rs", "pub fn parse(input: &str) {}", True),
        ("src/lib.rs", "pub(crate) fn parse(input: &str) {}", False),
        ("src/Main.java", "    public void run() {", True),
        ("builtin/add.c", '\t\tOPT_BOOL(0, "dry-run", &dry_run, N_("dry run")),', True),
        ("app/settings.py", "TIMEOUT = 30", True),
        ("schema/policy.schema.json", '  "budget": {', True),
        ("include/api.h", "int git_frobnicate(const char *path, int flags);", True),
        ("tests/test_api.py", "def test_fetch():", False),
        ("pkg/api.py", "    return fetch(url)", False),
    ],
)
def test_public_api_detection(path: str, line: str, public: bool) -> None:
    assert public_api_changed(parse_diff(_one_file(path, [line]))) is public


def test_changelog_detection() -> None:
    for path in ("CHANGES.rst", "CHANGELOG.md", "HISTORY.txt", "NEWS", "changelog.d/12.md",
                 ".changeset/brave-cats.md", "changelog/3301.feature.rst",
                 "Documentation/RelNotes/2.56.0.adoc"):  # fmt: skip
        assert analyze(_one_file(path, ["x"])).signals.changelog_touched, path
    for path in ("src/pr_router/changes/model.py", "docs/history_of_http.py", "README.md"):
        assert not analyze(_one_file(path, ["x"])).signals.changelog_touched, path
