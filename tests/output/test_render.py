"""The text and JSON of every result type, rendered directly onto in-memory streams."""

from __future__ import annotations

import json

import pytest

from dbctl.errors import ConnectionFailed, UsageError
from dbctl.output import render, render_error, render_outcome
from dbctl.output.migrations import Progress
from dbctl.redact import register_secret
from dbctl.results import (
    CurrentResult,
    InitResult,
    MigrateResult,
    MultiResult,
    OfflineResult,
    PendingRevision,
    RevisionInfo,
    RevisionList,
    RevisionResult,
    StatusResult,
    StepResult,
    TargetList,
    TargetOutcome,
)
from dbctl.targets import TargetInfo
from tests.output.conftest import make_terminal

A, B, C = "aaaa11112222", "bbbb33334444", "cccc55556666"


def info(rev: str, down: tuple[str, ...], message: str, **flags: object) -> RevisionInfo:
    fields: dict = dict(is_head=False, is_base=not down, is_merge=len(down) > 1, branch_labels=(), depends_on=())
    fields.update(flags)
    return RevisionInfo(rev, down, message, path=f"migrations/versions/{rev}_x.py", **fields)


# -- current and status -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "line"),
    [
        (CurrentResult("dev", (A,), (A,)), f"dev: {A} (head)"),
        (CurrentResult("dev", (), (A,)), f"dev: base (not at head: heads are {A})"),
        (CurrentResult("dev", (), ()), "dev: base (not at head: no revisions)"),
    ],
)
def test_current(result: CurrentResult, line: str, term) -> None:
    render(result, "text", term.terminal)
    assert term.out == line + "\n" and term.err == ""


def test_current_json(term) -> None:
    render(CurrentResult("dev", (A,), (A, B)), "json", term.terminal)
    assert json.loads(term.out) == {"target": "dev", "current": [A], "heads": [A, B], "at_head": False, "notices": []}


def test_status_lines(term) -> None:
    result = StatusResult(
        "prod", True, current=(A,), heads=(C,), pending=(PendingRevision(B, "add b"), PendingRevision(C, "add c"))
    )
    render(result, "text", term.terminal)
    assert term.out.splitlines() == [
        f"! prod: at {A}, 2 pending (heads {C})",
        f"    pending {B}  add b",
        f"    pending {C}  add c",
    ]


@pytest.mark.parametrize(
    ("result", "line"),
    [
        (StatusResult("prod", True, current=(A,), heads=(A,)), f"✓ prod: at {A} (head)"),
        (StatusResult("prod", False, heads=(A,), error="refused [x]"), "✗ prod: unreachable: refused [x]"),
        (
            StatusResult("prod", True, current=(A,), heads=(A,), modified=(PendingRevision(A, "one"),)),
            f"✗ prod: at {A}, 1 applied revision(s) changed since they were applied, 0 pending",
        ),
    ],
)
def test_status_first_line(result: StatusResult, line: str, term) -> None:
    render(result, "text", term.terminal)
    assert term.out.splitlines()[0] == line


def test_status_json_shape(term) -> None:
    render(StatusResult("prod", False, heads=(A,), error="down"), "json", term.terminal)
    assert json.loads(term.out) == {
        "target": "prod",
        "reachable": False,
        "current": [],
        "heads": [A],
        "at_head": False,
        "pending": [],
        "modified": [],
        "error": "down",
        "notices": [],
    }


# -- migrations ---------------------------------------------------------------------------------


def test_migrate_lines_go_to_stderr(term) -> None:
    steps = (StepResult(A, "one", "upgrade", 0.01), StepResult(B, "two", "upgrade", 0.02))
    render(MigrateResult("dev", "upgrade", (), (B,), steps, seconds=1.5), "text", term.terminal)
    render(MigrateResult("dev", "upgrade", (B,), (B,)), "text", term.terminal)
    render(
        MigrateResult("dev", "stamp", (B,), (A,), (StepResult(A, "", "stamp", 0),), seconds=0.2), "text", term.terminal
    )
    assert term.out == ""
    assert term.err.splitlines() == [
        f"✓ dev: upgraded base → {B} (2 revisions, 1.5s)",
        f"✓ dev: already at {B}; nothing to do",
        f"✓ dev: stamped {B} → {A} (200ms)",
    ]


def test_quiet_silences_chatter_but_not_warnings_or_data() -> None:
    term = make_terminal(quiet=True)
    render(MigrateResult("dev", "upgrade", (), (A,), (StepResult(A, "one", "upgrade", 0.01),)), "text", term.terminal)
    Progress(term.terminal).step(StepResult(A, "one", "upgrade", 0.01))
    term.terminal.warning("careful")
    render(CurrentResult("dev", (A,), (A,)), "text", term.terminal)
    assert term.err == "warning: careful\n"
    assert term.out == f"dev: {A} (head)\n"


def test_progress_lines(term) -> None:
    progress = Progress(term.terminal)
    progress.step(StepResult(A, "create [users]", "upgrade", 0.25))
    progress.step(StepResult(A, "drop users", "downgrade", 2.5))
    assert term.err.splitlines() == [f"  ↑ {A} create [users]  250ms", f"  ↓ {A} drop users  2.5s"]
    assert Progress.running("upgrade", info(A, (), "create [users]")) == f"applying {A} create \\[users]…"
    assert Progress.running("downgrade", info(A, (), "x")) == f"reverting {A} x…"


def test_offline_sql_is_written_as_is(term) -> None:
    render(OfflineResult("dev", "upgrade", "head", "CREATE TABLE [t] (id INT);\n"), "text", term.terminal)
    assert term.out == "CREATE TABLE [t] (id INT);\n"


def test_secrets_are_scrubbed_from_data_and_chatter(term) -> None:
    register_secret("s3cr3t-for-output-test")
    render(OfflineResult("dev", "upgrade", "head", "-- s3cr3t-for-output-test\n"), "text", term.terminal)
    render_error(ConnectionFailed("password s3cr3t-for-output-test rejected"), term.terminal)
    assert "s3cr3t" not in term.out + term.err
    assert "***" in term.out and "***" in term.err


# -- revisions ----------------------------------------------------------------------------------


def test_history_table(term) -> None:
    items = RevisionList((info(B, (A,), "two", is_head=True), info(A, (), "one")))
    render(items, "text", term.terminal)
    assert term.out.splitlines() == [
        "revision      down                message",
        f"{B}  {A}  head  two    ",
        f"{A}  -             base  one    ",
    ]


def test_history_on_a_target_and_verbose() -> None:
    term = make_terminal(width=160)
    items = RevisionList(
        (
            info(B, (A,), "two", is_head=True, applied=False),
            info(A, (), "one", applied=True, applied_at="2026-01-02T03:04:05.123+00:00"),
        )
    )
    render(items, "text", term.terminal, verbose=True)
    lines = term.out.splitlines()
    assert lines[0].split() == ["revision", "down", "message", "applied", "path"]
    assert "pending" in lines[1] and f"migrations/versions/{B}_x.py" in lines[1]
    assert "✓ 2026-01-02 03:04:05" in lines[2]


def test_empty_history_says_how_to_start(term) -> None:
    render(RevisionList(()), "text", term.terminal)
    assert term.out == "" and "no revisions yet" in term.err
    render(RevisionList(()), "json", term.terminal)
    assert json.loads(term.out) == []


def test_history_json_has_no_doc_but_show_json_has(term) -> None:
    one = info(A, (), "one", doc="one\n\nlonger text")
    render(RevisionList((one,)), "json", term.terminal)
    listed = json.loads(term.out)
    assert listed == [
        {
            "revision": A,
            "down_revision": [],
            "message": "one",
            "is_head": False,
            "is_base": True,
            "is_merge": False,
            "branch_labels": [],
            "depends_on": [],
            "path": f"migrations/versions/{A}_x.py",
            "applied": None,
            "applied_at": None,
        }
    ]
    shown = make_terminal()
    render(one, "json", shown.terminal)
    assert json.loads(shown.out) == {**listed[0], "doc": "one\n\nlonger text"}


def test_show(term) -> None:
    render(info(B, (A,), "two", is_head=True, doc="two [b]\n\nmore"), "text", term.terminal)
    assert term.out.splitlines() == [
        f"Revision: {B} (head)",
        f"Parent:   {A}",
        f"Path:     migrations/versions/{B}_x.py",
        "",
        "two [b]",
        "",
        "more",
    ]


def test_revision_written_and_not_written(term) -> None:
    render(RevisionResult("migrations/versions/x_add.py", "x", "add [t]"), "text", term.terminal)
    render(RevisionResult(None, None, "nothing"), "text", term.terminal)
    assert term.out == "migrations/versions/x_add.py\n"
    assert term.err.splitlines() == [
        "✓ wrote revision x: add [t]",
        "✓ no changes detected between the models and the database: no revision written (use --empty to write one "
        "anyway)",
    ]


def test_init(term) -> None:
    render(InitResult("dbctl.toml", "migrations", ()), "text", term.terminal)
    assert term.out == ""
    assert term.err.splitlines() == [
        "✓ created the migration environment in migrations",
        "✓ configuration written to dbctl.toml",
        'next: `dbctl revision -m "first revision"`, then `dbctl upgrade head`',
    ]


# -- targets ------------------------------------------------------------------------------------


def test_targets_table_and_json(term) -> None:
    targets = TargetList(
        (
            TargetInfo("dev", "sqlite", "pysqlite", "sqlite:///dev.db", False, True),
            TargetInfo("prod", None, None, "postgresql://app:***@db/app", True, False, "DATABASE_URL is not set"),
        )
    )
    render(targets, "text", term.terminal)
    assert term.out.splitlines() == [
        "   target  dialect  driver    url                                                    protected",
        "*  dev     sqlite   pysqlite  sqlite:///dev.db                                                ",
        "   prod    ?        ?         postgresql://app:***@db/app (DATABASE_URL is not set)  yes      ",
    ]
    as_json = make_terminal()
    render(targets, "json", as_json.terminal)
    assert json.loads(as_json.out)[1] == {
        "name": "prod",
        "dialect": None,
        "driver": None,
        "url": "postgresql://app:***@db/app",
        "protected": True,
        "default": False,
        "error": "DATABASE_URL is not set",
    }


# -- several targets ----------------------------------------------------------------------------

OUTCOMES = (
    TargetOutcome("a", 0, result=MigrateResult("a", "upgrade", (A,), (B,), (StepResult(B, "", "upgrade", 0),), 2.0)),
    TargetOutcome("b", 0, result=MigrateResult("b", "upgrade", (B,), (B,))),
    TargetOutcome("c", 3, error="could not connect", hint="is it up?"),
)


def test_outcome_lines(term) -> None:
    for outcome in OUTCOMES:
        render_outcome(outcome, term.terminal)
    render_outcome(
        TargetOutcome("d", 1, result=StatusResult("d", True, (A,), (B,), (PendingRevision(B, "x"),))), term.terminal
    )
    assert term.err.splitlines() == [
        f"✓ a: {A} → {B} (1 revisions, 2.0s)",
        f"✓ b: already at {B}",
        "✗ c: error: could not connect",
        f"! d: at {A}, 1 pending (heads {B})",
    ]


def test_summary_table(term) -> None:
    render(MultiResult("upgrade", OUTCOMES, skipped=2), "text", term.terminal)
    assert term.out.splitlines() == [
        "upgrade: 3 target(s)",
        "target  exit  result                                         ",
        f"a       0     {A} → {B} (1 revisions, 2.0s)",
        f"b       0     already at {B}                        ",
        "c       3     error: could not connect                       ",
    ]
    assert term.err == "warning: 2 target(s) not started (--fail-fast)\n"


def test_summary_json_carries_the_worst_exit_code(term) -> None:
    render(
        MultiResult("current", (TargetOutcome("a", 0, result=CurrentResult("a", (A,), (A,))), OUTCOMES[2])),
        "json",
        term.terminal,
    )
    data = json.loads(term.out)
    assert list(data) == ["command", "exit_code", "skipped", "targets"]
    assert data["exit_code"] == 3 and data["skipped"] == 0
    assert data["targets"] == [
        {
            "target": "a",
            "exit_code": 0,
            "result": {"target": "a", "current": [A], "heads": [A], "at_head": True, "notices": []},
            "error": None,
        },
        {"target": "c", "exit_code": 3, "result": None, "error": "could not connect"},
    ]


# -- errors -------------------------------------------------------------------------------------


def test_expected_error_is_one_line_and_a_hint(term) -> None:
    render_error(UsageError("bad [thing]\nsecond line", hint="try this"), term.terminal)
    assert term.err == "error: bad [thing]\\nsecond line\nhint: try this\n"


def test_verbose_shows_the_traceback_of_an_expected_error() -> None:
    term = make_terminal(verbose=True)
    try:
        raise UsageError("bad thing")
    except UsageError as error:
        render_error(error, term.terminal)
    assert term.err.startswith("Traceback (most recent call last):")
    assert term.err.endswith("error: bad thing\n")


def test_a_bug_shows_its_traceback_and_asks_for_a_report(term) -> None:
    try:
        {}["missing"]
    except KeyError as error:
        render_error(error, term.terminal)
    assert term.err.startswith("Traceback (most recent call last):") and "KeyError: 'missing'" in term.err
    assert term.err.endswith("error: internal error in dbctl (this is a bug; please report it with the output above)\n")


def test_interrupted_and_broken_pipe(term) -> None:
    render_error(KeyboardInterrupt(), term.terminal)
    render_error(BrokenPipeError(), term.terminal)
    assert term.err == "error: interrupted\n"


@pytest.mark.parametrize(
    ("error", "data"),
    [
        (UsageError("bad [thing]", hint="try this"), {"error": "bad [thing]", "hint": "try this", "exit_code": 2}),
        (ConnectionFailed("refused"), {"error": "refused", "hint": None, "exit_code": 3}),
        (KeyboardInterrupt(), {"error": "interrupted", "hint": None, "exit_code": 130}),
    ],
)
def test_json_errors_on_stdout_and_the_line_on_stderr(error: BaseException, data: dict, term) -> None:
    render_error(error, term.terminal, "json")
    assert json.loads(term.out) == data
    assert term.err.splitlines()[0] == f"error: {data['error']}"


def test_json_errors_write_nothing_for_a_broken_pipe_and_hide_passwords(term) -> None:
    render_error(BrokenPipeError(), term.terminal, "json")
    assert term.out == ""
    register_secret("s3cr3t-for-json-error-test")
    render_error(ConnectionFailed("password s3cr3t-for-json-error-test rejected"), term.terminal, "json")
    assert "s3cr3t-for-json-error-test" not in term.out + term.err
    assert json.loads(term.out)["exit_code"] == 3


def test_no_renderer_for_an_unknown_type(term) -> None:
    with pytest.raises(TypeError, match="no renderer for dict"):
        render({}, "text", term.terminal)


def test_every_dispatch_entry_names_a_real_type_and_renderer() -> None:
    """The table is keyed by name (so that rendering imports nothing it does not need): a type
    that moves or is renamed must be moved here too."""
    import importlib

    from dbctl.output import _EVERY_FORMAT, _RENDERERS, _renderer

    for key, where in {**_RENDERERS, **_EVERY_FORMAT}.items():
        module, _, name = key.rpartition(".")
        assert isinstance(getattr(importlib.import_module(module), name), type), key
        assert callable(_renderer(where)), where
