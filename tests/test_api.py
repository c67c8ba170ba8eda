"""The Python API on a real SQLite file: the callbacks a progress display is built on."""

from __future__ import annotations

from pathlib import Path

from dbctl import api
from tests.cli.test_deploy import write_project


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
