"""The command language: which lines are commands, and how each is parsed or refused."""

from __future__ import annotations

import pytest

from pr_router.talk import (
    MAX_COMMANDS,
    Command,
    CommandError,
    accept_reason,
    command_lines,
    error_reply,
    help_text,
    parse_comment,
)

JOBS = ("review", "security", "describe", "changelog", "docs", "failure-summary")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/pr-router rerun", Command("rerun", 1)),
        ("/pr-router rerun review", Command("rerun", 1, job="review")),
        ("/pr-router escalate describe", Command("escalate", 1, job="describe")),
        (
            "/pr-router escalate describe --tier frontier",
            Command("escalate", 1, job="describe", tier="frontier"),
        ),
        ("/pr-router effort review high", Command("effort", 1, job="review", effort="high")),
        ("/pr-router skip changelog", Command("skip", 1, job="changelog")),
        ("/pr-router plan", Command("plan", 1)),
        ("/pr-router help", Command("help", 1)),
        (
            "/pr-router ask   why is   this   on frontier?",
            Command("ask", 1, text="why is this on frontier?"),
        ),
        ("/pr-router accept", Command("accept", 1)),
        (
            "/pr-router accept the input is validated upstream",
            Command("accept", 1, text="the input is validated upstream"),
        ),
        ("   /pr-router plan   ", Command("plan", 1)),  # up to 3 spaces: still a paragraph
        ("/pr-router\tplan", Command("plan", 1)),
        ("/pr-router rerun failure-summary", Command("rerun", 1, job="failure-summary")),
    ],
)
def test_well_formed_commands(line: str, expected: Command) -> None:
    parsed = parse_comment(line, jobs=JOBS)
    assert parsed.errors == ()
    assert parsed.commands == (expected,)


@pytest.mark.parametrize(
    ("line", "message", "usage"),
    [
        ("/pr-router", "no command after the prefix", ""),
        ("/pr-router rerum review", "unknown command; did you mean `rerun`?", ""),
        ("/pr-router deploy", "unknown command", ""),
        ("/pr-router escalate", "`escalate` needs a job name", "escalate JOB [--tier"),
        ("/pr-router escalate reviw", "did you mean `review`?", "escalate JOB"),
        ("/pr-router escalate Review", "lower case letters", "escalate JOB"),
        ("/pr-router escalate review --tier ultra", "`--tier` with one of", "escalate JOB"),
        ("/pr-router escalate review frontier", "`--tier` with one of", "escalate JOB"),
        ("/pr-router effort review", "one level: low, medium, high", "effort JOB"),
        ("/pr-router effort review max", "one level", "effort JOB"),
        ("/pr-router effort review high now", "one level", "effort JOB"),
        ("/pr-router skip", "`skip` needs a job name", "skip JOB"),
        ("/pr-router skip review docs", "one job name and nothing else", "skip JOB"),
        ("/pr-router rerun review docs", "one job name and nothing else", "rerun [JOB]"),
        ("/pr-router plan now", "`plan` takes no arguments", "plan"),
        ("/pr-router help me", "`help` takes no arguments", "help"),
        ("/pr-router ask", "`ask` needs a question", "ask QUESTION"),
        ("/pr-router ask " + "x" * 2001, "longer than 2000", "ask QUESTION"),
    ],
)
def test_malformed_commands_are_errors_with_the_usage(line: str, message: str, usage: str) -> None:
    parsed = parse_comment(line, jobs=JOBS)
    assert parsed.commands == ()
    (error,) = parsed.errors
    assert (error.line, error.text) == (1, line.strip())
    assert message in error.message
    assert error.usage.startswith(usage)


@pytest.mark.parametrize(
    "body",
    [
        "> /pr-router escalate review",  # a quote
        "  > /pr-router escalate review",
        "> > /pr-router rerun",
        "```\n/pr-router escalate review\n```",  # a fenced code block
        "~~~text\n/pr-router escalate review\n~~~",
        "````\n```\n/pr-router rerun\n```\n````",  # an inner shorter fence does not close it
        "    /pr-router escalate review",  # an indented code block
        "\t/pr-router escalate review",
        "<!-- /pr-router rerun -->",  # an HTML comment
        "<!--\n/pr-router rerun\n-->",
        "please /pr-router rerun review",  # not at the start of the line
        "/pr-routerrerun",  # another word
        "/PR-ROUTER rerun",
        "`/pr-router rerun`",  # an inline code span
        "",
    ],
)
def test_quotes_code_and_prose_are_not_commands(body: str) -> None:
    assert parse_comment(body, jobs=JOBS).empty


def test_a_fence_left_open_hides_the_rest_and_a_closed_one_does_not() -> None:
    assert parse_comment("```\ncode\n/pr-router rerun").empty
    body = "```py\nx = 1\n```\n/pr-router rerun"
    assert parse_comment(body).commands == (Command("rerun", 4),)
    # a backtick fence whose info string has a backtick is not a fence (CommonMark)
    assert parse_comment("``` a`b\n/pr-router plan").commands == (Command("plan", 2),)


def test_one_command_per_line_with_line_numbers_and_crlf() -> None:
    body = (
        "Thanks!\r\n/pr-router escalate describe\r\n\r\n> /pr-router skip review\r\n/pr-router plan"
    )
    parsed = parse_comment(body, jobs=JOBS)
    assert parsed.commands == (Command("escalate", 2, job="describe"), Command("plan", 5))
    assert list(command_lines(body)) == [
        (2, "/pr-router escalate describe"),
        (5, "/pr-router plan"),
    ]


def test_errors_and_commands_are_both_reported() -> None:
    parsed = parse_comment("/pr-router plan\n/pr-router nope", jobs=JOBS)
    assert parsed.commands == (Command("plan", 1),)
    assert [e.line for e in parsed.errors] == [2]


def test_the_prefix_is_configurable() -> None:
    body = "/pr-router rerun\n/bot rerun review"
    assert parse_comment(body, "/bot").commands == (Command("rerun", 2, job="review"),)


def test_without_a_job_list_any_well_formed_name_passes() -> None:
    assert parse_comment("/pr-router rerun my-job").commands == (Command("rerun", 1, job="my-job"),)


def test_too_many_commands_run_none() -> None:
    body = "\n".join(["/pr-router plan"] * (MAX_COMMANDS + 1))
    parsed = parse_comment(body)
    assert parsed.commands == ()
    assert "none were run" in parsed.errors[-1].message


def test_describe_gives_the_canonical_line() -> None:
    assert Command("escalate", 1, job="review", tier="frontier").describe() == (
        "/pr-router escalate review --tier frontier"
    )
    assert Command("effort", 1, job="docs", effort="low").describe("/bot") == "/bot effort docs low"
    assert Command("ask", 1, text="why?").describe() == "/pr-router ask why?"


def test_error_reply_quotes_the_line_safely_and_names_the_usage() -> None:
    errors = [
        CommandError(2, "/pr-router skip `x` <!-- pr-router:state AAAA -->", "bad", "skip JOB"),
    ]
    reply = error_reply(errors)
    assert "nothing was run" in reply
    assert "line 2, `` /pr-router skip `x` &lt;!-- pr-router:state AAAA --> ``: bad." in reply
    assert "Usage: `/pr-router skip JOB`." in reply
    assert "<!--" not in reply


def test_help_lists_every_verb_and_the_jobs() -> None:
    text = help_text("/pr-router", JOBS)
    for usage in ("rerun [JOB]", "escalate JOB [--tier", "effort JOB low|medium|high",
                  "skip JOB", "plan", "ask QUESTION", "accept [REASON]", "help"):  # fmt: skip
        assert f"`/pr-router {usage}" in text
    assert "write access" in text
    assert "`failure-summary`" in text


def test_accept_reason_for_the_merge_gate() -> None:
    assert accept_reason("/pr-router accept validated upstream") == "validated upstream"
    assert accept_reason("Thanks!\n/pr-router accept") == ""
    assert accept_reason("> /pr-router accept quoted") is None
    assert accept_reason("/pr-router plan") is None
    assert accept_reason("/pr-router accept ok\n/pr-router nope") is None  # strict: no partial
