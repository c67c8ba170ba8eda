"""Every public function of dbctl.api, called directly on real SQLite files (and on the suite's
PostgreSQL server where a database is involved): what scripts and the CLI build on."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbctl import api
from dbctl.config.model import ProjectConfig
from dbctl.errors import ConfirmationRequired, MigrationFailed, RevisionError, TargetError, UsageError
from dbctl.lint.findings import LintReport
from dbctl.results import TargetSelection
from tests.cli.test_deploy import ENV_TEMPLATE, query, tables, write_project


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file, or one on the suite's PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.db'}"
    return request.getfixturevalue("pg_db").url()


def project_at(root: Path, targets: dict[str, str], **options: object) -> tuple[ProjectConfig, list[str]]:
    ids = write_project(root, targets, **options)  # type: ignore[arg-type]
    mako = (ENV_TEMPLATE.parent / "script.py.mako").read_text()
    (root / "migrations" / "script.py.mako").write_text(mako)
    return api.load_project(root), ids


# -- project and targets ----------------------------------------------------------------------


def test_load_project_walks_up_from_start(tmp_path: Path) -> None:
    write_project(tmp_path, {"dev": "sqlite:///dev.db"})
    (tmp_path / "src" / "app").mkdir(parents=True)
    project = api.load_project(tmp_path / "src" / "app")
    assert project.root == tmp_path.resolve() and list(project.targets) == ["dev"]


def test_init_creates_an_environment_that_works(tmp_path: Path) -> None:
    result = api.init(tmp_path, sync=True)
    assert Path(result.config_path).name == "dbctl.toml" and (tmp_path / "migrations" / "env.py").is_file()
    project = api.load_project(tmp_path)
    assert len(api.heads(project)) == 0
    with pytest.raises(UsageError):  # nothing is ever half-written: a second init refuses
        api.init(tmp_path, sync=True)


def test_list_targets_hides_passwords(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    project, _ = project_at(
        tmp_path,
        {"dev": "sqlite:///dev.db", "prod": "postgresql://app:hunter22@db/app", "ci": "${NOT_SET_ANYWHERE}"},
    )
    infos = {t.name: t for t in api.list_targets(project)}
    assert infos["prod"].url.endswith("://app:***@db/app") and infos["prod"].dialect == "postgresql"
    assert infos["ci"].error is not None and "NOT_SET_ANYWHERE" in infos["ci"].error
    assert api.list_targets(project).to_json()[0]["name"] == "dev"


def test_select_targets_expands_groups_and_checks_every_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    targets = {"a": "sqlite:///a.db", "b": "sqlite:///b.db", "c": "sqlite:///c.db"}
    project, _ = project_at(tmp_path, targets, extra='default_target = "a"\n[groups]\npair = ["b", "c"]\n')
    assert api.select_targets(project) == api.select_targets(project, []) != api.select_targets(project, ["a"])
    assert api.select_targets(project).names == (None,) and not api.select_targets(project).fan_out
    assert api.select_targets(project, ["a"]).fan_out is False
    assert api.select_targets(project, ["pair"]) == TargetSelection(("b", "c"), True)
    assert api.select_targets(project, ["c", "pair"]).names == ("c", "b")
    assert api.select_targets(project, all_targets=True).names == ("a", "b", "c")
    with pytest.raises(TargetError, match="unknown target or group 'x'"):
        api.select_targets(project, ["a", "x"])
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    broken, _ = project_at(tmp_path / "broken", {"a": "sqlite:///a.db", "b": "${NOT_SET_ANYWHERE}"})
    with pytest.raises(TargetError, match="targets.b.url: environment variable NOT_SET_ANYWHERE"):
        api.select_targets(broken, all_targets=True)


def test_load_project_carries_x_arguments(tmp_path: Path) -> None:
    write_project(tmp_path, {"dev": "sqlite:///dev.db"})
    assert api.load_project(tmp_path).x_arguments == ()
    project = api.load_project(tmp_path, x_arguments=["tenant=acme", "dry", "a=b=c"])
    assert project.x_arguments == ("tenant=acme", "dry", "a=b=c")  # as given, in order, as Alembic's -x
    assert project.targets == api.load_project(tmp_path).targets


def test_single_target_expands_groups_and_refuses_several(tmp_path: Path) -> None:
    targets = {"a": "sqlite:///a.db", "b": "sqlite:///b.db"}
    project, _ = project_at(
        tmp_path, targets, extra='default_target = "a"\n[groups]\npair = ["a", "b"]\nsolo = ["b"]\n'
    )
    assert api.single_target(project, [], command="stamp") is None
    assert api.single_target(project, ["solo"], command="stamp") == "b"
    assert api.single_target(project, ["a", "a"], command="stamp") == "a"
    with pytest.raises(UsageError, match=r"^downgrade takes one target, not 2 \(a, b\)"):
        api.single_target(project, ["a", "b"], command="downgrade")
    with pytest.raises(UsageError, match="takes one target"):
        api.single_target(project, ["pair"], command="downgrade")
    with pytest.raises(TargetError, match="unknown target or group 'x'"):
        api.single_target(project, ["x"], command="downgrade")


def test_parse_duration() -> None:
    assert api.parse_duration("500ms", "--wait") == 0.5
    assert api.parse_duration("2min", "--wait") == 120.0
    assert api.parse_duration(None, "--wait") is None
    with pytest.raises(UsageError, match="^--lock-timeout: 'soon' is not a duration"):
        api.parse_duration("soon", "--lock-timeout")


# -- the script directory ---------------------------------------------------------------------


def test_history_heads_and_show(tmp_path: Path) -> None:
    project, ids = project_at(tmp_path, {"dev": f"sqlite:///{tmp_path / 'dev.db'}"})
    history = api.history(project)
    assert [r.revision for r in history] == ids[::-1] and history[0].is_head and history[-1].is_base
    assert [r.revision for r in api.history(project, f"{ids[1]}:head")] == ids[:0:-1]
    assert [r.revision for r in api.heads(project)] == [ids[-1]]
    shown = api.show(project, ids[1][:6])
    assert shown.revision == ids[1] and shown.down_revision == (ids[0],) and shown.message == "step 2"
    with pytest.raises(RevisionError):
        api.show(project, "ffff")


def test_revision_lints_the_new_file(tmp_path: Path) -> None:
    project, ids = project_at(tmp_path, {"dev": f"sqlite:///{tmp_path / 'dev.db'}"})
    result = api.revision(project, "nothing yet", autogenerate=False)
    assert result.path is not None and Path(result.path).is_file()
    assert isinstance(result.lint, LintReport) and result.lint.files_checked == 1
    assert {f.code for f in result.lint.findings} >= {"DB102"}  # an empty migration
    assert api.heads(project)[0].down_revision == (ids[-1],)
    assert api.revision(project, "unlinted", autogenerate=False, lint=False).lint is None


def test_merge_joins_two_heads(tmp_path: Path) -> None:
    project, ids = project_at(tmp_path, {"dev": f"sqlite:///{tmp_path / 'dev.db'}"}, revisions=2)
    branch = tmp_path / "migrations" / "versions" / "9999bbbb9999_branch.py"
    branch.write_text(
        f'"""branch"""\nrevision = "9999bbbb9999"\ndown_revision = {ids[0]!r}\nbranch_labels = None\n'
        "depends_on = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
    )
    assert len(api.heads(project)) == 2
    merged = api.merge(project, "join")
    assert merged.revision is not None
    heads = api.heads(project)
    assert [h.revision for h in heads] == [merged.revision] and heads[0].is_merge


def test_rules_and_rule_doc() -> None:
    codes = [rule.code for rule in api.rules()]
    assert codes == sorted(codes) and "DB203" in codes
    rule = api.rule_doc("db203")
    assert rule.code == "DB203" and rule.doc.splitlines()[0] == rule.summary
    assert api.rule_doc(rule.name) is rule
    with pytest.raises(UsageError) as unknown:
        api.rule_doc("DB2O3")
    assert unknown.value.hint == "did you mean DB203?"


def test_check_static_and_against_a_target(tmp_path: Path) -> None:
    body = {2: '    op.create_index("ix_t1_id", "t1", ["id"])'}
    project, ids = project_at(tmp_path, {"pg": "postgresql://u@db.invalid/x"}, revisions=2, body=body)
    report = api.check(project)
    assert report.files_checked == 2 and report.failed
    assert [(Path(f.file).name, f.code) for f in report.findings if f.severity == "error"] == [
        (f"{ids[1]}_step2.py", "DB203")
    ]
    only_first = api.check(project, [tmp_path / "migrations" / "versions" / f"{ids[0]}_step1.py"])
    assert only_first.files_checked == 1 and not only_first.failed

    db = tmp_path / "dev.db"
    lite, ids = project_at(tmp_path / "lite", {"dev": f"sqlite:///{db}"}, revisions=2)
    api.upgrade(lite)
    heard: list[str] = []
    assert not api.check(lite, target="dev", on_progress=heard.append).failed
    applied = next(Path(tmp_path / "lite" / "migrations" / "versions").glob(f"{ids[0]}_*.py"))
    applied.write_text(applied.read_text().replace('"t1"', '"t1_renamed"', 1))
    edited = api.check(lite, target="dev")
    assert [f.code for f in edited.findings if f.code == "DB803"] == ["DB803"]


# -- one database -----------------------------------------------------------------------------


def test_upgrade_current_status_downgrade(tmp_path: Path, db_url: str) -> None:
    project, ids = project_at(tmp_path, {"dev": db_url})
    before = api.status(project)
    assert before.reachable and before.current == () and [p.revision for p in before.pending] == ids
    assert api.current(project).current == ()

    steps: list[str] = []
    result = api.upgrade(project, ids[1], on_step=lambda step: steps.append(step.revision))
    assert (result.before, result.after, steps) == ((), (ids[1],), ids[:2])
    assert api.current(project, target="dev").current == (ids[1],)
    assert [p.revision for p in api.status(project).pending] == [ids[2]]

    api.upgrade(project)
    assert api.current(project).at_head and api.status(project).at_head
    assert {"t1", "t2", "t3"} <= tables(db_url)
    on_target = api.history(project, target="dev")
    assert all(r.applied for r in on_target) and all(r.applied_at for r in on_target)

    back = api.downgrade(project, "-1")
    assert back.after == (ids[1],) and "t3" not in tables(db_url)
    assert api.downgrade(project, "base").after == ()


def test_failing_revision_raises_and_leaves_the_previous_one(tmp_path: Path, db_url: str) -> None:
    project, ids = project_at(tmp_path, {"dev": db_url}, body={2: '    op.execute("SELECT * FROM no_such_table")'})
    with pytest.raises(MigrationFailed) as failed:
        api.upgrade(project)
    assert failed.value.revision == ids[1]
    assert api.current(project).current == (ids[0],)


def test_status_of_an_unreachable_database_is_a_result(tmp_path: Path) -> None:
    project, _ = project_at(tmp_path, {"down": "postgresql://u:pw-never-shown@127.0.0.1:1/x"})
    result = api.status(project)
    assert result.reachable is False and result.target == "down" and result.current == ()
    assert result.error and "pw-never-shown" not in result.error


def test_stamp_records_without_running(tmp_path: Path, db_url: str) -> None:
    project, ids = project_at(tmp_path, {"dev": db_url})
    result = api.stamp(project, "head")
    assert result.after == (ids[-1],) and not {"t1", "t2", "t3"} & tables(db_url)
    assert query(project.targets["dev"].url, "SELECT version_num FROM alembic_version") == [(ids[-1],)]


def test_offline_sql_never_connects(tmp_path: Path) -> None:
    project, ids = project_at(tmp_path, {"pg": "postgresql+psycopg://u:pw@db.invalid:5432/app"})
    result = api.offline_sql(project, "upgrade", "head")
    assert result.target == "pg" and all(f"CREATE TABLE t{i} " in result.sql for i in (1, 2, 3))
    down = api.offline_sql(project, "downgrade", f"{ids[-1]}:{ids[0]}")
    assert "DROP TABLE t3" in down.sql and "DROP TABLE t1" not in down.sql


def test_protected_target_needs_confirmation(tmp_path: Path) -> None:
    db = tmp_path / "prod.db"
    project, ids = project_at(tmp_path, {"prod": f"sqlite:///{db}"}, extra="")
    (tmp_path / "dbctl.toml").write_text((tmp_path / "dbctl.toml").read_text() + "protected = true\n")
    project = api.load_project(tmp_path)
    assert api.confirmation_needed(project) == "prod" == api.confirmation_needed(project, "prod")
    api.upgrade(project)  # not destructive: no confirmation
    with pytest.raises(ConfirmationRequired):
        api.downgrade(project, "-1")
    with pytest.raises(UsageError, match="confirmation did not match 'prod'"):
        api.stamp(project, "base", confirm="dev")
    assert api.current(project).current == (ids[-1],)
    assert api.downgrade(project, "-1", confirm=" prod\n").after == (ids[-2],)
    assert api.stamp(project, "base", confirm=True).after == ()

    open_project, _ = project_at(tmp_path / "open", {"dev": f"sqlite:///{tmp_path / 'dev.db'}"})
    assert api.confirmation_needed(open_project) is None


# -- several databases ------------------------------------------------------------------------


@pytest.mark.parametrize("parallel", [1, 2])
def test_run_many(tmp_path: Path, parallel: int) -> None:
    urls = {name: f"sqlite:///{tmp_path / f'{name}.db'}" for name in ("a", "b", "c")}
    project, ids = project_at(tmp_path, urls, extra='default_target = "a"\n')
    heard: list[str] = []
    up = api.run_many(
        project,
        ["a", "b"],
        "upgrade",
        {"revision": ids[0]},
        parallel=parallel,
        on_outcome=lambda o: heard.append(o.target),
    )
    assert up.command == "upgrade" and up.skipped == 0 and sorted(heard) == ["a", "b"]
    assert [(o.target, o.exit_code, o.result.after) for o in up.outcomes] == [("a", 0, (ids[0],)), ("b", 0, (ids[0],))]

    status = api.run_many(project, [None, "b", "c"], "status", gate=True, parallel=parallel)
    assert [(o.target, o.exit_code) for o in status.outcomes] == [("a", 1), ("b", 1), ("c", 1)]
    assert [o.exit_code for o in api.run_many(project, ["a"], "status").outcomes] == [0]  # pending is no failure

    failed = api.run_many(project, ["a", "b", "c"], "upgrade", {"revision": "ffff"}, fail_fast=True)
    assert [(o.target, o.exit_code) for o in failed.outcomes] == [("a", 2)] and failed.skipped == 2
    assert failed.outcomes[0].error is not None and failed.outcomes[0].result is None

    current = api.run_many(project, ["c"], "current", {"wait": None}, parallel=parallel)
    assert current.outcomes[0].result.current == ()
    with pytest.raises(KeyError):
        api.run_many(project, ["a"], "downgrade")


def test_on_next_names_each_revision_before_it_runs(tmp_path: Path, monkeypatch) -> None:
    ids = write_project(tmp_path, {"dev": f"sqlite:///{tmp_path / 'app.db'}"}, revisions=4)
    monkeypatch.chdir(tmp_path)
    project = api.load_project()
    events: list[tuple[str, str]] = []
    result = api.upgrade(
        project,
        "head",
        on_next=lambda info: events.append(("next", info.revision)),
        on_step=lambda step: events.append(("done", step.revision)),
    )
    assert result.after == (ids[-1],)
    # each revision is announced, then finished, in order
    assert events == [event for rev in ids for event in (("next", rev), ("done", rev))]

    events.clear()
    api.downgrade(
        project,
        "base",
        on_next=lambda info: events.append(("next", info.revision)),
        on_step=lambda step: events.append(("done", step.revision)),
    )
    assert events == [event for rev in reversed(ids) for event in (("next", rev), ("done", rev))]
