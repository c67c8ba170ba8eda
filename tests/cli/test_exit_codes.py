"""The one table from results and errors to exit codes (dbctl.errors.exit_code)."""

from __future__ import annotations

import pytest

from dbctl.errors import (
    ConfigError,
    ConfirmationRequired,
    ConnectionFailed,
    ExitCode,
    LockTimeout,
    MigrationFailed,
    UsageError,
    exit_code,
)
from dbctl.lint.findings import Finding, LintReport
from dbctl.results import CurrentResult, MultiResult, PendingRevision, StatusResult, TargetOutcome

PENDING = (PendingRevision("b", "two"),)


def test_documented_values() -> None:
    assert {code.name: int(code) for code in ExitCode} == {
        "OK": 0,
        "FINDINGS": 1,
        "USAGE": 2,
        "UNREACHABLE": 3,
        "MIGRATION_FAILED": 4,
        "LOCK_TIMEOUT": 5,
        "INTERNAL_ERROR": 70,
        "INTERRUPTED": 130,
    }


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (UsageError("x"), ExitCode.USAGE),
        (ConfirmationRequired("x"), ExitCode.USAGE),
        (ConfigError("x"), ExitCode.USAGE),
        (ConnectionFailed("x"), ExitCode.UNREACHABLE),
        (MigrationFailed("x"), ExitCode.MIGRATION_FAILED),
        (LockTimeout("x"), ExitCode.LOCK_TIMEOUT),
        (KeyboardInterrupt(), ExitCode.INTERRUPTED),
        (BrokenPipeError(), ExitCode.OK),
        (KeyError("bug"), ExitCode.INTERNAL_ERROR),
    ],
)
def test_errors(error: BaseException, code: ExitCode) -> None:
    assert exit_code(error) is code


def test_results_without_a_verdict_are_success() -> None:
    assert exit_code(None) is ExitCode.OK
    assert exit_code(CurrentResult("dev", ("a",), ("b",))) is ExitCode.OK  # not at head is not a failure


def test_lint_report_fails_at_fail_on() -> None:
    warning = Finding("m.py", 1, 1, "DB101", "missing-downgrade", "warning", "x")
    assert exit_code(LintReport(1, (warning,))) is ExitCode.OK
    assert exit_code(LintReport(1, (warning,), fail_on="warning")) is ExitCode.FINDINGS


@pytest.mark.parametrize(
    ("result", "plain", "gated"),
    [
        (StatusResult("t", True, ("a",), ("a",)), ExitCode.OK, ExitCode.OK),
        (StatusResult("t", True, ("a",), ("b",), PENDING), ExitCode.OK, ExitCode.FINDINGS),
        (StatusResult("t", True, ("a",), ("a",), modified=PENDING), ExitCode.FINDINGS, ExitCode.FINDINGS),
        (StatusResult("t", False, error="down"), ExitCode.UNREACHABLE, ExitCode.UNREACHABLE),
    ],
    ids=["at head", "pending", "modified since applied", "unreachable, with or without the gate"],
)
def test_status_with_and_without_the_gate(result: StatusResult, plain: ExitCode, gated: ExitCode) -> None:
    assert exit_code(result) is plain
    assert exit_code(result, gate=True) is gated


def test_multi_target_run_exits_with_the_worst_code() -> None:
    outcomes = (TargetOutcome("a", 0), TargetOutcome("b", 5, error="lock"), TargetOutcome("c", 3, error="down"))
    assert exit_code(TargetOutcome("b", 5)) is ExitCode.LOCK_TIMEOUT
    assert exit_code(MultiResult("upgrade", outcomes)) is ExitCode.LOCK_TIMEOUT
    assert exit_code(MultiResult("upgrade", ())) is ExitCode.OK


def test_an_unreachable_status_outcome_carries_its_error() -> None:
    down = StatusResult("t", False, error="connection refused")
    assert TargetOutcome("t", 3, result=down).to_json()["error"] == "connection refused"
    assert TargetOutcome("t", 0, result=StatusResult("t", True)).error is None
