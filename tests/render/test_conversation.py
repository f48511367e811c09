"""The demo conversation page: GitHub-like, self-contained, and never injectable."""

from __future__ import annotations

import re

import pytest

from pr_router.render.conversation import conversation_html, conversation_markdown
from pr_router.render.markdown_html import markdown_to_html
from pr_router.render.summary import summary_markdown

from .factories import realistic_summary

HUNK = """@@ -10,4 +10,5 @@ def login(request):
     user = authenticate(request)
-    session = request.session
+    request.session.cycle_key()
+    session = request.session
     return session"""

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _page(**overrides: object) -> str:
    args: dict[str, object] = {
        "pr_title": "Rotate the session on login",
        "pr_body": "Fixes session fixation.",
        "review_body": "Looks good overall; one note.",
        "inline_comments": [("app/auth.py", 12, "RIGHT", "Call `cycle_key()` first.", HUNK)],
        "summary_comment_body": summary_markdown(realistic_summary()),
    }
    args.update(overrides)
    return conversation_html(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["pr_title", "pr_body", "review_body", "summary_comment_body"])
def test_model_text_never_becomes_html(field: str) -> None:
    page = _page(**{field: EVIL})
    assert "<script" not in page
    assert "<img" not in page
    assert "&lt;script&gt;" in page


def test_inline_comment_and_hunk_are_escaped() -> None:
    page = _page(inline_comments=[(f"a{EVIL}.py", 11, "RIGHT", EVIL, f"@@ -1 +1 @@\n+{EVIL}")])
    assert "<script" not in page
    assert "<img" not in page
    assert page.count("&lt;script&gt;") == 3


def test_self_contained() -> None:
    page = _page()
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    assert not re.search(r"<link|\bsrc=|@import|url\(", page)
    assert "default-src 'none'" in page  # and the browser is told to load nothing else


def test_diff_hunk_has_line_numbers_and_colours() -> None:
    page = _page()
    assert (
        '<tr class="hunk"><td colspan="3">@@ -10,4 +10,5 @@ def login(request):</td></tr>' in page
    )
    assert (
        '<tr class="del"><td class="num">11</td><td class="num"></td>'
        '<td class="code"><span class="sign">-</span>    session = request.session</td></tr>'
    ) in page
    # line 12 on the new side is the commented one
    assert '<tr class="add target"><td class="num"></td><td class="num">12</td>' in page
    assert '<tr class="ctx"><td class="num">12</td><td class="num">13</td>' in page


def test_left_side_comment_marks_the_removed_line() -> None:
    page = _page(inline_comments=[("app/auth.py", 11, "LEFT", "Why remove this?", HUNK)])
    assert '<tr class="del target"><td class="num">11</td>' in page
    assert "on line 11 (removed code)" in page


def test_summary_comment_renders_tables_details_and_chart() -> None:
    page = _page()
    assert "<table><thead><tr><th" in page
    assert (
        "<details><summary>PR description · describe · claude-haiku-5-5 · $0.0037</summary>" in page
    )
    assert '<figure class="chart">' in page
    assert page.count("<details>") == page.count("</details>")


def test_hidden_markers_stay_hidden() -> None:
    body = "<!-- pr-router:summary -->\n**hi**\n\n<!-- pr-router:state eyJ2Ijox -->"
    page = _page(summary_comment_body=body)
    assert "pr-router:state" not in page
    assert "<strong>hi</strong>" in page


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
        ("[x](JaVaScRiPt&#58;alert(1))", "<p>[x](JaVaScRiPt&#58;alert(1))</p>"),
        (
            "[x](https://e.com/a_b_c)",
            '<p><a href="https://e.com/a_b_c" rel="nofollow noopener">x</a></p>',
        ),
        (
            '[x](https://e.com/"onmouseover=1)',
            '<p><a href="https://e.com/&quot;onmouseover=1" rel="nofollow noopener">x</a></p>',
        ),
        ("</details>", "<p>&lt;/details&gt;</p>"),
        ("<details>\n\nopen", "<details>\n<p>open</p>\n</details>"),
        (
            "`<b>` **b** _i_ ~~s~~",
            "<p><code>&lt;b&gt;</code> <strong>b</strong> <em>i</em> <del>s</del></p>",
        ),
        ("a &amp; b &lt; c & d", "<p>a &amp; b &lt; c &amp; d</p>"),
        ("```\n<b>", "<pre><code>&lt;b&gt;</code></pre>"),
        ("> **q**", "<blockquote><p><strong>q</strong></p></blockquote>"),
        ("- a\n  more\n- b", "<ul><li>a<br>more</li><li>b</li></ul>"),
        ("1. a\n2. b", "<ol><li>a</li><li>b</li></ol>"),
        ("## T <i>", "<h2>T &lt;i&gt;</h2>"),
        ("x<sub>1</sub>", "<p>x<sub>1</sub></p>"),
    ],
)
def test_markdown_subset(markdown: str, html: str) -> None:
    assert markdown_to_html(markdown) == html


def test_conversation_markdown() -> None:
    text = conversation_markdown(
        "Rotate the session",
        "Body",
        "Review",
        [("app/auth.py", 12, "RIGHT", "Note", "@@ -1 +1 @@\n+```x```")],
        "**pr-router** · summary",
    )
    assert text.startswith(
        "# Rotate the session (#1)\n\nBody\n\n---\n\n## Review by pr-router[bot]"
    )
    assert "### `app/auth.py` line 12\n\n````diff\n@@ -1 +1 @@\n+```x```\n````\n\nNote" in text
    assert text.endswith("## Summary comment by pr-router[bot]\n\n**pr-router** · summary\n")
