"""Inline styles across code spans in the demo page's Markdown renderer, still escape-only."""

from __future__ import annotations

import pytest

from pr_router.render.markdown_html import inline_html, markdown_to_html


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        (
            "**`//evil.example` passes the relative-path check**",
            "<strong><code>//evil.example</code> passes the relative-path check</strong>",
        ),
        ("**a `b` c**", "<strong>a <code>b</code> c</strong>"),
        ("_see `x`_", "<em>see <code>x</code></em>"),
        ("*a `*b*` c*", "<em>a <code>*b*</code> c</em>"),
        ("~~`old`~~", "<del><code>old</code></del>"),
        ("**`a`** and `**b**`", "<strong><code>a</code></strong> and <code>**b**</code>"),
        (
            "[`x`](https://e.com)",
            '<a href="https://e.com" rel="nofollow noopener"><code>x</code></a>',
        ),
    ],
)
def test_styles_span_inline_code(markdown: str, html: str) -> None:
    assert inline_html(markdown) == html


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("**`<script>` x**", "<strong><code>&lt;script&gt;</code> x</strong>"),
        (
            "_`<img src=x onerror=alert(1)>`_",
            "<em><code>&lt;img src=x onerror=alert(1)&gt;</code></em>",
        ),
        # a code span never lands inside a URL, where its tags would break out of the href
        ("[x](https://e.com/`a`)", "[x](https://e.com/<code>a</code>)"),
        (
            '[x](https://e.com/`"onmouseover=1`)',
            "[x](https://e.com/<code>&quot;onmouseover=1</code>)",
        ),
        # the stand-in characters in model text are dropped, not trusted
        ("\x010\x01 `a`", "0 <code>a</code>"),
    ],
)
def test_code_inside_styles_stays_escaped(markdown: str, html: str) -> None:
    assert inline_html(markdown) == html


def test_bold_title_with_code_in_a_list() -> None:
    got = markdown_to_html("- **`next` is not checked** in `redirects.py`")
    assert got == (
        "<ul><li><strong><code>next</code> is not checked</strong> in <code>redirects.py</code>"
        "</li></ul>"
    )
