"""Where things are written: lines in the model files, the migrations and the config, found by
their text (the models are imported, but SQLAlchemy does not record source lines)."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    """Finds where tables, columns and the MetaData are written in the model files.

    A table is found at its model class: the class whose ``__tablename__`` names it, else the
    imported class mapped to it (a name made by ``declared_attr``, Flask-SQLAlchemy or SQLModel),
    else a class whose name spells it; a Core ``Table("name", ...)`` at that call. A column is
    found in its class's body (by attribute or by ``mapped_column("name", ...)``), else in the
    bases and mixins it comes from, else at the class.
    """

    def __init__(self, files: list[str], texts: SourceFiles | None = None) -> None:
        self.files = files
        self.texts = texts or SourceFiles()
        self._classes: list[ModelClass] | None = None
        self._modules: list[Any] | None = None

    def metadata(self) -> tuple[str, int]:
        """The line of the first ``MetaData(`` (else of the declarative base class, or of a
        Flask-SQLAlchemy ``SQLAlchemy(``), else line 1 of the first file."""
        patterns = (
            r"\bMetaData\(",
            r"^class\s+\w+\([^)]*\bDeclarativeBase(?:NoMeta)?\b",
            r"\bdeclarative_base\(",
            r"\bSQLAlchemy\(",
        )
        for pattern in patterns:
            for file in self.files:
                text = self.texts.text(file)
                match = re.search(pattern, text, re.M)
                if match:
                    return file, line_of(text, match.start())
        return self.files[0], 1

    def table(self, name: str | None) -> tuple[str, int]:
        """Where table ``name`` is defined (see the class docstring); the MetaData's line when
        it is not found."""
        found = self._model(name) if name else None
        if found is not None:
            return found.file, found.line
        core = self._core_table(name) if name else None
        if core is not None:
            return core[0], core[1]
        return self.metadata()

    def column(self, table: str | None, column: str | None) -> tuple[str, int]:
        """The line that declares ``column`` of ``table``, else the table's line."""
        if not table:
            return self.metadata()
        model = self._model(table)
        if model is not None:
            if column:
                for key in (*_attribute_keys(model.live, column), column):
                    found = self._in_class(model, key, column, set())
                    if found is not None:
                        return found
            return model.file, model.line
        core = self._core_table(table)
        if core is None:
            return self.metadata()
        file, line, offset = core
        if not column:
            return file, line
        text = self.texts.text(file)
        # the definition ends at the next top-level class or assignment
        end = re.compile(r"^(class\s|\w+\s*=)", re.M).search(text, text.find("\n", offset) + 1)
        stop = end.start() if end else len(text)
        name = re.escape(column)
        pattern = re.compile(rf"""^[ \t]+{name}[ \t]*[:=]|\b(?:mapped_)?[Cc]olumn\(\s*['"]{name}['"]""", re.M)
        match = pattern.search(text, offset, stop)
        return (file, line_of(text, match.start())) if match else (file, line)

    # -- classes ----------------------------------------------------------------------------------
    def classes(self) -> list[ModelClass]:
        """Every class written in the model files, read with ``ast`` (each file parsed once)."""
        if self._classes is None:
            self._classes = []
            for file in self.files:
                try:
                    tree = ast.parse(self.texts.text(file))
                except (SyntaxError, ValueError):
                    continue
                self._classes.extend(_read_classes(_resolved(file), tree))
        return self._classes

    def _model(self, table: str) -> ModelClass | None:
        classes = self.classes()
        for live in self._live_classes(table):
            qualname = getattr(live, "__qualname__", "")
            file = _module_file(live)
            match = next((c for c in classes if c.qualname == qualname and c.file == file), None)
            if match is not None:
                return _with_live(match, live)
        named = [c for c in classes if c.tablename == table]
        if named:
            return named[0]
        spelled = table.replace("_", "").lower()
        candidates = {spelled, spelled[:-1] if spelled.endswith("s") else spelled, spelled.removesuffix("es")}
        return next((c for c in classes if c.tablename is None and c.name.lower() in candidates), None)

    def _live_classes(self, table: str) -> list[type]:
        """The imported classes defined in the model files whose ``__table__`` is ``table``."""
        if self._modules is None:
            files = {_resolved(file) for file in self.files}
            self._modules = [
                module
                for module in list(sys.modules.values())
                if isinstance(getattr(module, "__file__", None), str) and _resolved(module.__file__) in files
            ]
        found = []
        for module in self._modules:
            for value in list(vars(module).values()):
                if isinstance(value, type) and getattr(value, "__module__", None) == module.__name__:
                    if _table_name(value) == table:
                        found.append(value)
        return found

    def _in_class(self, model: ModelClass, key: str, column: str, seen: set[str]) -> tuple[str, int] | None:
        """The line of attribute ``key`` (or of ``Column("column", ...)``) in ``model``'s body,
        else in the classes it derives from (mixins), nearest first."""
        if model.qualname in seen:
            return None
        seen.add(model.qualname)
        line = model.attributes.get(key) or model.named_columns.get(column)
        if line is not None:
            return model.file, line
        bases = [b for b in getattr(model.live, "__mro__", ())[1:] if isinstance(b, type)]
        for base in bases:
            file = _module_file(base)
            found = next((c for c in self.classes() if c.qualname == base.__qualname__ and c.file == file), None)
            if found is not None:
                at = self._in_class(_with_live(found, base), key, column, seen)
                if at is not None:
                    return at
        if not bases:
            for name in model.bases:
                found = next((c for c in self.classes() if c.name == name), None)
                if found is not None:
                    at = self._in_class(found, key, column, seen)
                    if at is not None:
                        return at
        return None

    def _core_table(self, name: str) -> tuple[str, int, int] | None:
        """(file, line, offset) of ``Table("name"``."""
        quoted = rf"""['"]{re.escape(name)}['"]"""
        for file in self.files:
            text = self.texts.text(file)
            match = re.search(rf"\bTable\(\s*{quoted}", text)
            if match:
                return file, line_of(text, match.start()), match.start()
        return None


@dataclass(frozen=True)
class ModelClass:
    """A class as written: where, its ``__tablename__`` (when a literal), its bases' names, and
    the line of each attribute and of each ``Column("name", ...)`` in its body."""

    file: str
    name: str
    qualname: str
    line: int
    tablename: str | None
    bases: tuple[str, ...]
    attributes: dict[str, int]
    named_columns: dict[str, int]
    live: Any = None  # the imported class, when it is known


def _with_live(model: ModelClass, live: type) -> ModelClass:
    return ModelClass(**{**model.__dict__, "live": live})


def _read_classes(file: str, tree: ast.Module) -> list[ModelClass]:
    found: list[ModelClass] = []

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                found.append(_read_class(file, node, prefix + node.name))
                visit(node.body, f"{prefix}{node.name}.")

    visit(tree.body, "")
    return found


def _read_class(file: str, node: ast.ClassDef, qualname: str) -> ModelClass:
    attributes: dict[str, int] = {}
    named: dict[str, int] = {}
    tablename = None
    for statement in node.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign):
            targets, value = [statement.target], statement.value
        for target in targets:
            if isinstance(target, ast.Name):
                attributes.setdefault(target.id, statement.lineno)
                if target.id == "__tablename__" and isinstance(value, ast.Constant) and isinstance(value.value, str):
                    tablename = value.value
                if target.id == "__table__" and isinstance(value, ast.Call) and _first_string(value):
                    tablename = _first_string(value)
        if value is not None:
            for call in ast.walk(value):
                if isinstance(call, ast.Call) and _callee(call) in {"Column", "mapped_column", "Field"}:
                    name = _first_string(call)
                    if name:
                        named.setdefault(name, statement.lineno)
    bases = tuple(name for base in node.bases if (name := _callee_name(base)))
    return ModelClass(file, node.name, qualname, node.lineno, tablename, bases, attributes, named)


def _first_string(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _callee(call: ast.Call) -> str | None:
    return _callee_name(call.func)


def _callee_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _table_name(cls: type) -> str | None:
    try:
        table = cls.__dict__.get("__table__") or getattr(cls, "__table__", None)
        name = getattr(table, "name", None)
    except Exception:  # a declared_attr of an abstract class may raise anything
        return None
    return name if isinstance(name, str) else None


def _attribute_keys(cls: Any, column: str) -> list[str]:
    """The attribute names the mapped class ``cls`` gives the database column ``column``."""
    try:
        columns = cls.__mapper__.columns
        return [key for key, col in columns.items() if getattr(col, "name", None) == column]
    except Exception:  # not mapped, or not as expected: find the column by its name
        return []


def _module_file(cls: type) -> str | None:
    file = getattr(sys.modules.get(getattr(cls, "__module__", "")), "__file__", None)
    return _resolved(file) if file else None


def _resolved(file: str) -> str:
    return str(Path(file).resolve())


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
