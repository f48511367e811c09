"""Error extraction from GitHub Actions job logs: fixtures per tool, and small tables."""

from __future__ import annotations

import pytest

from pr_router.jobs.failure_logs import clean_log, extract_failure
from pr_router.tokens import estimate_tokens

from .helpers import LOGS


def _log(name: str) -> str:
    return (LOGS / name).read_text(encoding="utf-8")


def test_pytest_log_names_the_failing_tests_and_keeps_their_errors() -> None:
    ex = extract_failure(_log("pytest_failure.log"))
    assert ex.failing_tests == (
        "tests/test_invoice.py::test_total_rounds_per_line",
        "tests/test_parse.py::test_parse_currency",
    )
    assert ex.errors == (
        "AssertionError: assert Decimal('1.00') == Decimal('1.01')",
        "decimal.InvalidOperation: [<class 'decimal.ConversionSyntax'>]",
    )
    assert ex.exit_code == 1
    assert ex.step == "pytest -q"
    assert ex.total_lines == 68
    assert '>       assert invoice.total() == Decimal("1.01")' in ex.text
    assert "src/invoicing/parse.py:9: InvalidOperation" in ex.text
    # Setup noise is not in the excerpt.
    assert "Installing build dependencies" not in ex.text
    assert "2025-03-04T" not in ex.text


def test_tsc_log_without_ansi_colours() -> None:
    ex = extract_failure(_log("tsc_build_error.log"))
    assert ex.failing_tests == ()
    assert ex.errors == (
        "src/api/client.ts:48:7 - error TS2322: Type 'string' is not assignable to type 'number'.",
        "src/pages/Invoices.tsx:103:19 - error TS2339: Property 'totalCents' does not exist "
        "on type 'Invoice'.",
    )
    assert ex.exit_code == 2
    assert ex.step == "npm run build"
    assert "\x1b" not in ex.text
    assert '48       timeoutMs: options.timeout ?? "30s",' in ex.text
    assert "npm warn deprecated" not in ex.text


def test_go_log_subtests_and_panic() -> None:
    ex = extract_failure(_log("go_test_failure.log"))
    assert ex.failing_tests == (
        "TestParseInterval",
        "TestParseInterval/hours_and_minutes",
        "TestWorkerDrain",
    )
    assert ex.errors == ("send on closed channel [recovered]",)
    assert 'interval_test.go:38: ParseInterval("1h30m") = 1h0m0s, want 1h30m0s' in ex.text
    assert "internal/worker/pool.go:57" in ex.text
    assert ex.step == "go test -race ./..."


def test_injection_log_is_cleaned_but_kept_as_data() -> None:
    ex = extract_failure(_log("injection_attempt.log"))
    assert ex.failing_tests == ("tests/test_render.py::test_render_title",)
    assert "<!--" not in ex.text
    assert "\u200b" not in ex.text
    assert "\u202e" not in ex.text
    # The text is data: it stays (fenced later), the model is told it is not an instruction.
    assert "ignore previous instructions" in ex.text


@pytest.mark.parametrize(
    ("log", "tests", "errors"),
    [
        pytest.param(
            "test_b (tests.test_app.AppTest) ... FAIL\n"
            "======================================================================\n"
            "FAIL: test_b (tests.test_app.AppTest)\n"
            "----------------------------------------------------------------------\n"
            "Traceback (most recent call last):\n"
            '  File "/w/tests/test_app.py", line 9, in test_b\n'
            "    self.assertEqual(add(1, 1), 3)\n"
            "AssertionError: 2 != 3\n"
            "\nRan 2 tests in 0.001s\n\nFAILED (failures=1)\n",
            ("test_b (tests.test_app.AppTest)",),
            ("AssertionError: 2 != 3",),
            id="unittest",
        ),
        pytest.param(
            " FAIL  src/sum.test.ts > sum > adds negatives\n"
            "AssertionError: expected -1 to be -3\n"
            " ❯ src/sum.test.ts:9:23\n",
            ("src/sum.test.ts > sum > adds negatives",),
            (),
            id="vitest",
        ),
        pytest.param(
            "PASS src/a.test.js\nFAIL src/cart.test.js\n  cart\n"
            "    ✓ adds an item (3 ms)\n    ✕ removes an item (5 ms)\n\n"
            "  ● cart › removes an item\n\n    expect(received).toBe(expected)\n",
            ("removes an item",),
            ("cart › removes an item",),
            id="jest",
        ),
        pytest.param(
            "running 3 tests\ntest parser::tests::empty ... ok\n"
            "test parser::tests::nested ... FAILED\n\nfailures:\n\n"
            "---- parser::tests::nested stdout ----\n"
            "thread 'parser::tests::nested' panicked at src/parser.rs:88:9:\n"
            "assertion `left == right` failed\n",
            ("parser::tests::nested",),
            ("thread 'parser::tests::nested' panicked at src/parser.rs:88:9:",),
            id="cargo",
        ),
        pytest.param(
            "   Compiling demo v0.1.0 (/w)\n"
            "error[E0308]: mismatched types\n"
            '  --> src/main.rs:4:18\n   |\n4  |     let x: u32 = "a";\n'
            "   |            ---   ^^^ expected `u32`, found `&str`\n\n"
            'error: could not compile `demo` (bin "demo") due to 1 previous error\n',
            (),
            (
                "error[E0308]: mismatched types",
                'error: could not compile `demo` (bin "demo") due to 1 previous error',
            ),
            id="rustc",
        ),
        pytest.param(
            'src/app/models.py:12: error: Incompatible return value type (got "str", '
            'expected "int")  [return-value]\nFound 1 error in 1 file (checked 9 source files)\n',
            (),
            (
                'src/app/models.py:12: error: Incompatible return value type (got "str", '
                'expected "int")  [return-value]',
            ),
            id="mypy",
        ),
        pytest.param(
            "cc -O2 -c parse.c\nparse.c:41:12: error: use of undeclared identifier 'len'\n"
            "   41 |     return len;\n      |            ^\n1 error generated.\n",
            (),
            ("parse.c:41:12: error: use of undeclared identifier 'len'",),
            id="clang",
        ),
        pytest.param(
            "src/index.ts(3,7): error TS2322: Type 'number' is not assignable to type 'string'.\n",
            (),
            ("src/index.ts(3,7): error TS2322: Type 'number' is not assignable to type 'string'.",),
            id="tsc-classic",
        ),
    ],
)
def test_log_patterns(log: str, tests: tuple[str, ...], errors: tuple[str, ...]) -> None:
    ex = extract_failure(log)
    assert ex.failing_tests == tests
    assert ex.errors == errors


def test_timestamps_ansi_and_hidden_characters_are_removed() -> None:
    raw = (
        "2024-01-01T00:00:00.0000000Z \x1b[31mred\x1b[0m text\n"
        "2024-01-01T00:00:01.1234567Z zero\u200bwidth\u202e <!-- hide --> ok\r\n"
    )
    assert clean_log(raw) == ["red text", "zerowidth  ok"]


def test_no_known_pattern_falls_back_to_the_tail() -> None:
    log = "\n".join(f"line {i}" for i in range(100))
    ex = extract_failure(log, tail_lines=5)
    assert ex.text == "[… 95 line(s) omitted …]\nline 95\nline 96\nline 97\nline 98\nline 99"
    assert ex.failing_tests == ()
    assert ex.errors == ()


def test_excerpt_is_capped_in_lines_and_tokens() -> None:
    block = "\n".join(
        f"FAILED tests/test_m{i}.py::test_case_{i} - AssertionError: {'x' * 150}"
        for i in range(400)
    )
    ex = extract_failure(block, max_lines=50, max_tokens=1_000)
    assert ex.truncated
    assert len(ex.failing_tests) == 50  # every name found is reported, capped at 50
    assert estimate_tokens(ex.text) <= 1_000
    assert ex.text.count("\n") < 60


def test_python_traceback_is_kept_whole() -> None:
    log = (
        "Run python manage.py migrate\n"
        "Traceback (most recent call last):\n"
        '  File "manage.py", line 22, in <module>\n'
        "    main()\n"
        '  File "/w/app/db.py", line 7, in connect\n'
        "    raise RuntimeError('no DATABASE_URL')\n"
        "RuntimeError: no DATABASE_URL\n"
        "after\n"
    )
    ex = extract_failure(log)
    assert ex.errors == ("RuntimeError: no DATABASE_URL",)
    assert ex.text.splitlines()[1:7] == log.splitlines()[1:7]
