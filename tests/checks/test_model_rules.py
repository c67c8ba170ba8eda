"""DB7xx: every model fixture under fixtures/DB7xx/ is imported and checked; `# expect: CODE` marks
the line each finding must point at. Then `dbctl check --models` through the real CLI."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

from dbctl.checks import model_findings
from dbctl.lint.registry import all_rules
from tests.checks.conftest import FIXTURES

EXPECT = re.compile(r"#\s*expect:\s*(DB\d{3})")
MODEL_CODES = sorted(code for code, rule in all_rules().items() if rule.check == "models")
CASES = sorted(
    p for code in MODEL_CODES for p in (FIXTURES / code).glob("*.py") if p.name.startswith(("fail_", "pass_"))
)


def _import(path: Path):
    name = f"_dbctl_model_case_{path.parent.name}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_model_fixture(case: Path) -> None:
    code = case.parent.name
    expected = {(c, n) for n, line in enumerate(case.read_text().splitlines(), 1) for c in EXPECT.findall(line)}
    findings = model_findings(_import(case).metadata, [str(case)], [code])
    assert all(f.file == str(case.resolve()) for f in findings)
    found = {(f.code, f.line) for f in findings}
    if case.name.startswith("fail_"):
        assert expected, f"{case.name} states no `# expect:` finding"
    else:
        assert not expected, "a pass case expects nothing"
    assert found == expected, [f.message for f in findings]


def test_model_rules_are_the_documented_ones() -> None:
    rules = all_rules()
    assert MODEL_CODES == ["DB701", "DB702"]
    assert (rules["DB701"].name, rules["DB701"].severity) == ("missing-naming-convention", "warning")
    assert (rules["DB702"].name, rules["DB702"].severity) == ("foreign-key-without-index", "warning")


BAD_MODELS = """
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
"""


@pytest.fixture
def bad_models(tmp_path: Path) -> Path:
    (tmp_path / "migrations" / "versions").mkdir(parents=True)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(BAD_MODELS)
    (tmp_path / "dbctl.toml").write_text('metadata = "app.models:Base.metadata"\n')
    return tmp_path


def test_models_flag_reports_warnings_in_every_format(bad_models: Path, run_dbctl) -> None:
    plain = run_dbctl("check", cwd=bad_models)
    assert plain.code == 0 and "DB70" not in plain.stdout  # opt-in: only with --models

    text = run_dbctl("check", "--models", cwd=bad_models)
    assert text.code == 0, text  # warnings, and fail_on is error
    assert "app/models.py" in text.stdout and "DB701" in text.stdout and "DB702" in text.stdout
    assert 'author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))' in text.stdout  # the code frame

    data = json.loads(run_dbctl("check", "--models", "--format", "json", cwd=bad_models).stdout)
    assert {(f["code"], f["file"], f["line"]) for f in data["findings"]} == {
        ("DB701", "app/models.py", 6),
        ("DB702", "app/models.py", 18),
    }
    github = run_dbctl("check", "--models", "--format", "github", cwd=bad_models).stdout
    assert "::warning file=app/models.py,line=18" in github and "title=DB702 foreign-key-without-index" in github
    sarif = json.loads(run_dbctl("check", "--models", "--format", "sarif", cwd=bad_models).stdout)
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"DB701", "DB702"}

    (bad_models / "dbctl.toml").write_text(
        'metadata = "app.models:Base.metadata"\n[lint]\nfail_on = "warning"\nignore = ["DB701"]\n'
    )
    strict = run_dbctl("check", "--models", "--format", "json", cwd=bad_models)
    assert strict.code == 1
    assert [f["code"] for f in json.loads(strict.stdout)["findings"]] == ["DB702"]

    # the flag opts the model rules in: `select` (which picks static rules) does not turn them off
    (bad_models / "dbctl.toml").write_text('metadata = "app.models:Base.metadata"\n[lint]\nselect = ["DB2"]\n')
    selected = run_dbctl("check", "--models", "--format", "json", cwd=bad_models)
    assert {f["code"] for f in json.loads(selected.stdout)["findings"]} == {"DB701", "DB702"}


def test_models_needs_metadata_in_the_config(tmp_path: Path, run_dbctl) -> None:
    (tmp_path / "migrations" / "versions").mkdir(parents=True)
    (tmp_path / "dbctl.toml").write_text('script_location = "migrations"\n')
    result = run_dbctl("check", "--models", cwd=tmp_path)
    assert result.code == 2 and "metadata" in result.stderr, result


def test_models_module_that_fails_to_import(bad_models: Path, run_dbctl) -> None:
    (bad_models / "app" / "models.py").write_text("raise RuntimeError('no database configured')\n")
    result = run_dbctl("check", "--models", cwd=bad_models)
    assert result.code == 2 and "cannot import 'app.models'" in result.stderr and "Traceback" not in result.stderr
