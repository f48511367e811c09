"""Property tests the changes suite does not have (tests/changes/test_properties.py covers
difflib round trips, random bytes and byte mutations of one diff):

- diff-shaped garbage (real header and hunk lines in random order and with random payloads,
  invalid UTF-8, NUL, CR) only ever raises ``DiffError`` through ``analyze``;
- the line mapper accepts exactly the lines GitHub accepts (the emulator's ``DiffMap``, the
  rule behind GitHub's 422), never a line outside a hunk, and ``clamp_range`` always yields
  a range GitHub takes as one comment;
- the model-output sanitiser finds code spans as CommonMark does, in linear time.
"""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pr_router.changes import LineMap, analyze, parse_diff
from pr_router.errors import DiffError
from pr_router.github.hunks import parse_diff_map
from pr_router.jobs import sanitize
from pr_router.jobs.sanitize import sanitize_output

from .helpers import commonmark_spans

# --- diff-shaped garbage --------------------------------------------------------------------

_PAYLOAD = st.one_of(
    st.sampled_from([b"", b"a", b"x.py", b"/dev/null", b"a/b c", b'"q\\tz"', b"\xff\xfe", b"\x00"]),
    st.binary(max_size=12),
)
_PREFIX = st.sampled_from([
    b"diff --git a/", b"diff --git ", b"--- a/", b"--- ", b"+++ b/", b"+++ ", b"@@ -1 +1 @@",
    b"@@ -0,0 +1,3 @@", b"@@ -5,2 +5,0 @@ ctx", b"@@ -99999999999999999999 +1 @@", b"+", b"-",
    b" ", b"\\ No newline at end of file", b"index 000..111 100644", b"new file mode 100644",
    b"deleted file mode 100644", b"rename from ", b"rename to ", b"similarity index 90%",
    b"Binary files a/x and b/x differ", b"GIT binary patch", b"diff --cc ", b"@@@ -1 -1 +1 @@@",
    b"old mode 100644", b"new mode 100755", b"Index: ", b"=====", b"*** ", b"\r",
])  # fmt: skip
_LINE = st.builds(lambda p, q: p + q, _PREFIX, _PAYLOAD)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, max_size=40), st.sampled_from([b"\n", b"\r\n"]))
def test_diff_shaped_garbage_only_raises_diff_error(lines: list[bytes], eol: bytes) -> None:
    data = eol.join(lines)
    message = ""
    try:
        changes = analyze(data)
    except DiffError as error:
        message = str(error)
    if message:
        assert "\n" not in message
        return
    for change in changes.files:  # whatever parsed is usable by the line mapper
        LineMap([change]).nearest(change.path, 1, "RIGHT")


# --- the line mapper against GitHub's rule --------------------------------------------------


@st.composite
def _diffs(draw: st.DrawFn) -> bytes:
    """A well-formed multi-file, multi-hunk diff with consistent hunk headers."""
    out: list[str] = []
    for f in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from([f"f{f}.py", f"d/e f{f}.txt", f"x{f}/y.md"]))
        out += [f"diff --git a/{path} b/{path}", f"--- a/{path}", f"+++ b/{path}"]
        old = new = draw(st.integers(1, 5))
        for _ in range(draw(st.integers(1, 3))):
            kinds = draw(st.lists(st.sampled_from("+- "), min_size=1, max_size=8))
            old_len = sum(k != "+" for k in kinds)
            new_len = sum(k != "-" for k in kinds)
            out.append(f"@@ -{old},{old_len} +{new},{new_len} @@")
            out += [f"{k}line {i}" for i, k in enumerate(kinds)]
            old += old_len + draw(st.integers(1, 6))
            new += new_len + draw(st.integers(1, 6))
    return ("\n".join(out) + "\n").encode()


@settings(max_examples=200, deadline=None)
@given(_diffs(), st.integers(-2, 60), st.integers(-2, 60))
def test_line_map_accepts_exactly_what_github_accepts(data: bytes, a: int, b: int) -> None:
    files = parse_diff(data)
    github = parse_diff_map(data)
    linemap = LineMap(files)
    for change in files:
        for side in ("RIGHT", "LEFT"):
            headers = [
                (h.new_start, h.new_len) if side == "RIGHT" else (h.old_start, h.old_len)
                for h in change.hunks
            ]
            for line in range(-1, 70):
                ours = linemap.side_of(change.path, line, side)
                assert ours == (github.check(change.path, line, side) is None), (line, side)
                if ours:  # never outside a hunk's declared range
                    assert any(s <= line < s + n for s, n in headers), (line, headers)
            clamped = linemap.clamp_range(change.path, a, b, side)
            if clamped is not None:
                start, end = clamped
                assert linemap.side_of(change.path, start, side)
                assert linemap.side_of(change.path, end, side)
                if start < end:
                    assert github.check(change.path, end, side, start, side) is None


# --- code spans in model output -------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="`a @\n<!-#1.)\t ", max_size=60))
def test_code_spans_are_commonmarks(text: str) -> None:
    assert list(sanitize._code_spans(text)) == commonmark_spans(text)


def test_hostile_backtick_ladders_are_sanitised_in_linear_time() -> None:
    """A prompt-injected model can answer with backtick runs of every length; finding the
    code spans used to be quadratic (22 s for 40k characters)."""
    ladder = "".join("`" * k + "@x " for k in range(1, 900))  # ~400k characters
    started = time.perf_counter()
    out = sanitize_output(ladder)
    assert time.perf_counter() - started < 2.0
    assert out.count("x") == ladder.count("x")  # nothing lost, only defused
