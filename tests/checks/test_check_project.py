"""dbctl.checks called directly: which rules the options ask for, and one run through the API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dbctl.checks import CheckOptions
from tests.checks.test_model_rules import BAD_MODELS

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("options", "codes"),
    [
        (CheckOptions(), []),
        (CheckOptions(models=True), ["DB701", "DB702"]),
        (CheckOptions(drift=True), ["DB801"]),
        (CheckOptions(roundtrip=True), ["DB802"]),
        (CheckOptions(target="db"), ["DB803"]),
        (CheckOptions(models=True, drift=True, target="db"), ["DB701", "DB702", "DB801", "DB803"]),
    ],
)
def test_options_ask_for_the_rules_they_enable(options: CheckOptions, codes: list[str]) -> None:
    assert options.codes() == codes


PROBE = """
import json, sys
from pathlib import Path
from dbctl.checks import CheckOptions, check_project
from dbctl.config.loader import load_config

messages = []
report = check_project(load_config(Path("dbctl.toml")), CheckOptions(models=True), on_progress=messages.append)
print(json.dumps({"findings": [[f.code, Path(f.file).name, f.line, f.column] for f in report.findings],
                  "rules": list(report.rules), "progress": messages}))
"""


def test_check_project_runs_the_model_rules(tmp_path: Path) -> None:
    (tmp_path / "migrations" / "versions").mkdir(parents=True)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(BAD_MODELS)
    (tmp_path / "dbctl.toml").write_text('metadata = "app.models:Base.metadata"\n[lint]\nignore = ["DB702"]\n')
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(PROBE)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["findings"] == [["DB701", "models.py", 6, 1]]
    assert "DB701" in data["rules"] and "DB702" not in data["rules"]
    assert data["progress"] == [
        "DB702 (foreign-key-without-index) is in [lint] ignore: not checked",
        "models: checking app.models:Base.metadata",
    ]
