"""Where things are written: lines in the model files, the migrations and the config, found by
their text (the models are imported, but SQLAlchemy does not record source lines)."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from pathlib import Path

from dbctl.config.model import ProjectConfig
from dbctl.lint.findings import Finding
from dbctl.lint.registry import Hit, Rule


class SourceFiles:
    """The text of files, each read once per run."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}

    def text(self, file: str) -> str:
        """The file's text ("" when it cannot be read)."""
        if file not in self._texts:
            try:
                self._texts[file] = Path(file).read_text(encoding="utf-8", errors="replace")
            except OSError:
                self._texts[file] = ""
        return self._texts[file]

    def find_line(self, file: str, pattern: str, default: int = 1) -> int:
        """The 1-based line of the first match of ``pattern`` (multiline) in ``file``, or ``default``."""
        text = self.text(file)
        match = re.search(pattern, text, re.M)
        return line_of(text, match.start()) if match else default

    def finding(
        self,
        rule: Rule,
        file: str | Path,
        line: int,
        message: str,
        severity: Mapping[str, str] | None = None,
        help: str | None = None,
    ) -> Finding:
        """``rule``'s finding at ``line`` of ``file``, at the column where the line's code starts."""
        path = str(Path(file).resolve())
        lines = self.text(path).splitlines()
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        column = len(source) - len(source.lstrip()) + 1
        return rule.finding(path, Hit(line, column, message, help=help), severity)


def line_of(text: str, position: int) -> int:
    """The 1-based line of ``position`` in ``text``."""
    return text.count("\n", 0, position) + 1


class ModelSources:
    """Finds where tables, columns and the MetaData are written in the model files."""

    def __init__(self, files: list[str], texts: SourceFiles | None = None) -> None:
        self.files = files
        self.texts = texts or SourceFiles()

    def metadata(self) -> tuple[str, int]:
        """The line of the first ``MetaData(`` (else of the declarative base class), else line 1."""
        for pattern in (r"\bMetaData\(", r"^class\s+\w+\([^)]*\bDeclarativeBase\b", r"\bdeclarative_base\("):
            for file in self.files:
                text = self.texts.text(file)
                match = re.search(pattern, text, re.M)
                if match:
                    return file, line_of(text, match.start())
        return self.files[0], 1

    def table(self, name: str | None) -> tuple[str, int, int]:
        """(file, line, offset) of ``__tablename__ = "name"`` or ``Table("name"``."""
        if name:
            quoted = rf"""['"]{re.escape(name)}['"]"""
            pattern = rf"__tablename__\s*(?::[^=\n]*)?=\s*{quoted}|\bTable\(\s*{quoted}"
            for file in self.files:
                text = self.texts.text(file)
                match = re.search(pattern, text)
                if match:
                    return file, line_of(text, match.start()), match.start()
        file, line = self.metadata()
        return file, line, -1

    def column(self, table: str | None, column: str | None) -> tuple[str, int]:
        """The line that declares ``column`` within ``table``'s definition, else the table's line."""
        file, line, offset = self.table(table)
        if offset < 0 or not column:
            return file, line
        text = self.texts.text(file)
        # the definition ends at the next top-level class or assignment
        end = re.compile(r"^(class\s|\w+\s*=)", re.M).search(text, text.find("\n", offset) + 1)
        stop = end.start() if end else len(text)
        name = re.escape(column)
        pattern = re.compile(rf"""^[ \t]+{name}[ \t]*[:=]|\b(?:mapped_)?[Cc]olumn\(\s*['"]{name}['"]""", re.M)
        match = pattern.search(text, offset, stop)
        return (file, line_of(text, match.start())) if match else (file, line)


def model_files(project: ProjectConfig) -> list[str]:
    """The metadata's module first, then every other module imported from the project's folders
    (not from the migrations, a hidden folder such as .venv, or site-packages)."""
    module = (project.metadata or "").partition(":")[0]
    first = getattr(sys.modules.get(module), "__file__", None)
    roots = [p.resolve() for p in (project.root, *project.pythonpath)]
    migrations = project.script_location.resolve()
    files = [str(Path(first).resolve())] if first else []
    for mod in list(sys.modules.values()):
        file = getattr(mod, "__file__", None)
        if not file or not file.endswith(".py"):
            continue
        path = Path(file).resolve()
        root = next((r for r in roots if path.is_relative_to(r)), None)
        if root is None or path.is_relative_to(migrations) or str(path) in files:
            continue
        inner = path.relative_to(root).parts
        if "site-packages" in inner or any(part.startswith(".") for part in inner):
            continue
        files.append(str(path))
    return files or [str(project.path)]
