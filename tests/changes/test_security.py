"""Security sensitivity on real diffs, and each rule of the table on a line that should hit.

The full-corpus table (which real diffs are flagged, why, and which flags look like
false positives) is in SECURITY_FLAGS.md next to this file.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

import pr_router
from pr_router.changes import analyze, parse_diff, risk_of, sensitive_hits
from pr_router.changes._context import CONTEXT_CATEGORIES
from pr_router.changes._payload import PAYLOAD_CATEGORY
from pr_router.changes._rules import (
    CONTENT_RULES,
    KIND_RULES,
    PATH_RULES,
    STRENGTH,
    ContentRule,
)
from pr_router.changes.model import ChangeStatus, FileChange, FileKind

from .corpus import local, shared

# (diff, category, regex the reason must match): security-relevant code in real diffs
FLAGGED = [
    ("werkzeug__f3435a346d0d", "url-redirect", r"^werkzeug/wrappers\.py:\d+: .*Location"),
    ("werkzeug__f3435a346d0d", "url-parsing", r"iri_to_uri"),
    ("werkzeug__7111a5b6c958", "crypto", r"^werkzeug/debug/__init__\.py:\d+: .*hashlib\.md5"),
    ("werkzeug__7298c487c38c", "http-parsing", r"^werkzeug/http\.py: URL, header"),
    ("werkzeug__7298c487c38c", "parsing", r"def parse_options_header"),
    ("urllib3__f38d56e419e2", "parsing", r"^urllib3/util\.py:135: .*def get_host"),
    ("urllib3__b28e78560a8a", "tls", r"CertificateError|match_hostname"),
    ("urllib3__94e633e3511e", "http-headers", r"^urllib3/_collections\.py:\d+ .*'cookie'"),
    ("httpx__d25f2bfeff35", "auth", r"^httpx/_client\.py:\d+: handles authentication"),
    ("httpx__042dd2205846", "http-headers", r'"host"'),
    ("httpx__042dd2205846", "url-parsing", r"netloc"),
    ("urllib3__7ab935c6ddd5", "ci-permissions", r"^\.github/workflows/\w+\.yml:\d+"),
    ("httpx__31944b90f12e", "ci-secrets", r"environment"),
    ("werkzeug__d78e0a8c993b", "ci-permissions", r"\.github/workflows/"),
]


@pytest.mark.parametrize(("name", "category", "reason"), FLAGGED)
def test_real_security_relevant_changes_are_flagged(name: str, category: str, reason: str) -> None:
    signals = analyze(local(f"real/{name}.diff")).signals
    assert signals.security_sensitive
    reasons = [hit.reason for hit in signals.sensitive_hits if hit.category == category]
    assert any(re.search(reason, text) for text in reasons), reasons


def test_a_dropped_dependency_pin_is_context_not_sensitivity() -> None:
    # "Drop unneeded dependency pins": no new third-party code, so the manifest is context only
    signals = analyze(local("real/urllib3__20032ec38a09.diff")).signals
    assert not signals.security_sensitive
    assert signals.risk == "medium"
    assert {(hit.category, hit.context) for hit in signals.sensitive_hits} == {("dependency", True)}


NOT_FLAGGED = [
    "urllib3__780c64494a42",  # docs: changelog entry
    "werkzeug__a578c8f7842d",  # docs
    "httpx__9d59a5a1d674",  # docs, non-ASCII
    "urllib3__c823dc9e7009",  # docs + binary images
    "urllib3__9353973654e0",  # ci: actions/checkout bump, no secrets or permissions
    "webhooks__03110a7dd043",  # data: a JSON schema tweak
    "werkzeug__99fc293bc7dc",  # lockfile only
    "webhooks__274c9b852ecd",  # lockfile only
]


@pytest.mark.parametrize("name", NOT_FLAGGED)
def test_docs_data_lockfile_and_plain_ci_changes_are_not_flagged(name: str) -> None:
    signals = analyze(local(f"real/{name}.diff")).signals
    assert not signals.security_sensitive, signals.sensitive_reasons
    assert signals.risk == "low"


@pytest.mark.parametrize("name", ["git__bf5ce434db62", "git__e0f3d08b9b47"])
def test_translations_are_not_flagged(name: str) -> None:
    signals = analyze(shared(f"real/{name}.diff").read_bytes()).signals
    assert not signals.security_sensitive
    assert signals.docs_only


RULE_EXAMPLES = {
    "url-redirect": "return redirect(next_url)",
    "url-parsing": "parts = urlsplit(url)",
    "http-headers": 'headers["Content-Length"] = str(n)',
    "parsing": "def parse_cookie_header(value):",
    "input-validation": "def validate_redirect_url(url):",
    "escaping": "html = Markup(user_text)",
    "file-paths": "path = os.path.realpath(os.path.join(root, name))",
    "permissions": "os.chmod(path, 0o777)",
    "deserialization": "obj = pickle.loads(body)",
    "shell": "subprocess.run(cmd, shell=True)",
    "sql": 'cur.execute("SELECT * FROM users WHERE id=" + uid)',
    "tls": "requests.get(url, verify=False)",
    "crypto": "token = random.choice(ALPHABET)",
    "auth": "if password == stored_password:",
    "session-cookie": "response.set_cookie('sid', sid, samesite='None')",
    "access-control": "if not request.user.is_staff:",
    "injection-guard": "if '\\r' in value or '\\n' in value:",
    "private-names": "if name.startswith('_'):",
    "request-validation": "abort(400)",
    "error-detail": "flash(str(e))",
    "advisory-id": "# CVE-2024-1234: refuse absolute paths",
    "resource-limit": "parser = MultiPartParser(max_form_parts=1000)",
    "regex": "SPLIT = re.compile(r'(\\w+)*@')",
    "proxy": "client = Client(proxies=proxies)",
    "secret-literal": "-----BEGIN RSA PRIVATE KEY-----",
    "ci-untrusted-trigger": "on: pull_request_target",
    "ci-secrets": "token: ${{ secrets.PYPI_TOKEN }}",
    "ci-permissions": "permissions:",
    "ci-injection": 'run: echo "${{ github.event.pull_request.title }}"',
    "ci-remote-script": "curl -sSL https://example.com/install.sh | bash",
}


def _added_file(path: str, kind: FileKind, text: str) -> FileChange:
    """A parsed one-line addition to ``path``."""
    data = (
        f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n@@ -1,0 +2 @@\n+{text}\n"
    ).encode()
    (change,) = parse_diff(data)
    assert change.kind is kind
    return change


@pytest.mark.parametrize("rule", CONTENT_RULES, ids=[rule.category for rule in CONTENT_RULES])
def test_every_rule_hits_its_example(rule: ContentRule) -> None:
    category = rule.category
    ci = "ci" in rule.scopes
    path, kind = (".github/workflows/x.yml", FileKind.CI) if ci else ("app/core.py", FileKind.CODE)
    change = _added_file(path, kind, RULE_EXAMPLES[category])
    hits = [hit for hit in sensitive_hits([change]) if hit.category == category]
    assert len(hits) == 1
    assert hits[0].line == 2
    assert hits[0].reason.startswith(f"{path}:2: ")
    assert hits[0].severity == rule.severity


def test_all_rules_have_examples() -> None:
    assert {rule.category for rule in CONTENT_RULES} == RULE_EXAMPLES.keys()


@pytest.mark.parametrize(
    "line",
    [
        "# see the docs on redirect handling",  # still code: comments are not special
    ],
)
def test_comments_in_code_count(line: str) -> None:
    change = _added_file("app/core.py", FileKind.CODE, line)
    assert [hit.category for hit in sensitive_hits([change])] == ["url-redirect"]


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("docs/security.md", FileKind.DOCS),
        ("tests/test_auth.py", FileKind.TEST),
        ("po/de.po", FileKind.ASSET),
    ],
)
def test_docs_tests_and_assets_are_not_scanned(path: str, kind: FileKind) -> None:
    change = _added_file(path, kind, "password = pickle.loads(verify=False)")
    assert sensitive_hits([change]) == ()


def test_innocent_code_is_not_flagged() -> None:
    change = _added_file("app/maths.py", FileKind.CODE, "return sum(values) / len(values)")
    assert sensitive_hits([change]) == ()


def test_path_rules_and_kind_rules() -> None:
    session = _added_file("app/session.py", FileKind.CODE, "x = 1")
    assert [(h.category, h.source, h.reason) for h in sensitive_hits([session])] == [
        ("session-cookie", "path", "app/session.py: session, cookie, CSRF or CORS code")
    ]
    migration = _added_file("app/migrations/0002_x.py", FileKind.MIGRATION, "x = 1")
    assert [h.category for h in sensitive_hits([migration])] == ["migration"]
    author = _added_file("app/authors.py", FileKind.CODE, "x = 1")
    assert sensitive_hits([author]) == ()


def test_removed_lines_are_scanned_and_marked() -> None:
    data = b"diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -4 +3,0 @@\n-verify=False\n"
    (hit,) = sensitive_hits(parse_diff(data))
    assert (
        hit.reason
        == "a.py:4 (removed line): changes TLS or certificate verification (`verify=False`)"
    )
    assert hit.line is None


def test_one_hit_per_category_and_file_preferring_added_lines() -> None:
    data = (
        b"diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n"
        b"-x = pickle.loads(a)\n-y = pickle.loads(b)\n+x = pickle.loads(c)\n+y = marshal.loads(d)\n"
    )
    (hit,) = sensitive_hits(parse_diff(data))
    assert hit.reason.startswith("a.py:1: deserialises")


def _sized(lines: int) -> FileChange:
    """A code file with ``lines`` added lines and no hits."""
    return FileChange("a.py", None, ChangeStatus.MODIFIED, FileKind.CODE, lines, 0)


def test_risk_levels() -> None:
    medium_hit = sensitive_hits([_added_file("app/core.py", FileKind.CODE, "redirect(x)")])
    high_hit = sensitive_hits([_added_file("app/core.py", FileKind.CODE, "eval(x)")])
    assert risk_of((), [_sized(10)]) == "low"
    assert risk_of((), [_sized(401)]) == "medium"
    assert risk_of(medium_hit, [_sized(10)]) == "medium"
    assert risk_of(medium_hit, [_sized(1001)]) == "high"
    assert risk_of(high_hit, [_sized(1)]) == "high"


def test_a_megabyte_line_scans_in_linear_time() -> None:
    line = "a" + " redirect" * 10 + "(" * 1_000_000 + "x" * 100_000
    change = _added_file("app/min.py", FileKind.CODE, line)
    started = time.perf_counter()
    sensitive_hits([change])
    assert time.perf_counter() - started < 2.0


def _file_diff(path: str, lines: list[str]) -> bytes:
    """A diff adding ``lines`` (from line 1) to ``path``."""
    body = "".join(f"+{line}\n" for line in lines)
    head = f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n"
    return (head + body).encode()


@pytest.mark.parametrize(
    "imports",
    [
        ["from shop.http import redirect"],
        ["import redirects"],
        ["from shop.http import (", "    Response,", "    redirect,", ")"],
        ['import { redirect } from "next/navigation";'],
    ],
)
def test_import_lines_give_way_to_the_call(imports: list[str]) -> None:
    data = _file_diff("app/core.py", [*imports, "", "return redirect(target)"])
    (hit,) = sensitive_hits(parse_diff(data))
    assert hit.category == "url-redirect"
    assert hit.reason == (
        f"app/core.py:{len(imports) + 2}: follows or builds a redirect / Location header "
        "(`redirect`)"
    )


def test_an_import_is_the_reason_when_nothing_uses_it() -> None:
    data = _file_diff("app/core.py", ["from .ssl_match_hostname import match_hostname", "x = 1"])
    (hit,) = sensitive_hits(parse_diff(data))
    assert (hit.category, hit.line) == ("tls", 1)


def test_a_call_split_over_lines_is_not_an_import() -> None:
    data = _file_diff("app/core.py", ["response = build(", "    redirect,", ")"])
    (hit,) = sensitive_hits(parse_diff(data))
    assert (hit.category, hit.line) == ("url-redirect", 2)


def test_content_hits_come_first_strongest_category_first() -> None:
    empty = b"diff --git a/app/auth/__init__.py b/app/auth/__init__.py\nnew file mode 100644\n"
    data = empty + _file_diff(
        "app/views.py", ["def login(request):", "    os.system(cmd)", "    return redirect(x)"]
    )
    hits = sensitive_hits(parse_diff(data))
    assert [(h.category, h.source) for h in hits] == [
        ("shell", "content"),
        ("url-redirect", "content"),
        ("auth", "content"),
        ("auth", "path"),
    ]


def test_every_category_has_a_strength() -> None:
    categories = {rule.category for rule in (*CONTENT_RULES, *PATH_RULES, *KIND_RULES.values())}
    categories |= {*CONTEXT_CATEGORIES, PAYLOAD_CATEGORY}
    assert set(STRENGTH) == categories
    assert len(STRENGTH) == len(categories)


def test_demo_diff_quotes_the_redirect_call_first() -> None:
    demo = Path(pr_router.__file__).parent / "data" / "demo" / "example.diff"
    signals = analyze(demo.read_bytes()).signals
    assert signals.sensitive_reasons[:3] == (
        "src/shop/views/login.py:16: follows or builds a redirect / Location header (`redirect`)",
        "src/shop/views/login.py:17: handles sessions, cookies or CORS (`cookie`)",
        "src/shop/auth/redirects.py:16: parses, normalises or builds URLs (`urlparse`)",
    )
    assert not any("import" in hit.reason for hit in signals.sensitive_hits)
    assert signals.sensitive_hits[-1].source == "path"
