"""Reading revision files without importing Alembic or running them.

`dbctl history` and `dbctl heads` on a long, plain history need only each file's docstring and
its ``revision``/``down_revision``. When every file is plainly literal (see
:func:`read_revision_headers`), reading them is what Alembic would find, without importing
Alembic and SQLAlchemy or executing 2,000 files; anything else returns None and Alembic loads
the scripts as usual. Nothing here imports Alembic, SQLAlchemy or the files themselves.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
from pathlib import Path
from typing import Any

_REVISION_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")  # Alembic's rule (sourceless is never set)
_ASSIGNMENT = re.compile(
    r"(revision|down_revision|branch_labels|depends_on)[ \t]*(?::([^=\n]*))?=(?!=)[ \t]*(.*?)[ \t]*"
)
# The top level of a file that can be read without running it: the docstring, comments, the
# four names above with literal values, a few imports that cannot fail, and `def f():` lines
# (bodies do not run on import). Everything else may run code, so it is left to Alembic.
_STATEMENT = re.compile(r"^[^ \t\n#].*", re.M)  # a line that starts a top-level statement
_COMMENT_END = r"[ \t]*(?:#.*)?"
_IMPORT = re.compile(r"import[ \t]+(sqlalchemy)(?:[ \t]+as[ \t]+(\w+))?" + _COMMENT_END)
_FROM_IMPORT = re.compile(r"from[ \t]+([\w.]+)[ \t]+import[ \t]+(\w+(?:[ \t]*,[ \t]*\w+)*)" + _COMMENT_END)
_DEF = re.compile(
    r"(?:async[ \t]+)?def[ \t]+\w+[ \t]*\([ \t]*(?:\w+(?:[ \t]*,[ \t]*\w+)*[ \t]*,?[ \t]*)?\)"
    r"(?:[ \t]*->[ \t]*None)?[ \t]*:" + _COMMENT_END
)
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_BUILTIN_ANNOTATIONS = frozenset({"str", "None", "tuple", "list"})
_SIMPLE_VALUE = re.compile(r"""(?:"([^"\\\n]*)"|'([^'\\\n]*)'|(None))[ \t]*(?:#.*)?""")
_LEADING = re.compile(r"(?:[ \t\f]*(?:#[^\n]*)?\n)*[ \t\f]*")
_PREFIXED_STRING = re.compile(r"[rRuUbBfF]{1,2}['\"]|\(")
_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=]", re.M)
_UNSET = object()


class Header:
    """What `history` needs of one revision file: a :class:`~dbctl.revgraph.graph.RevisionNode`.

    Only files without ``branch_labels``/``depends_on`` are read, so both are always empty.
    """

    __slots__ = ("down_revisions", "longdoc", "path", "revision")
    branch_labels: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()

    def __init__(self, revision: str, down_revision: str | None, longdoc: str, path: str) -> None:
        self.revision, self.longdoc, self.path = revision, longdoc, path
        self.down_revisions: tuple[str, ...] = (down_revision,) if down_revision else ()

    @property
    def down_revision(self) -> str | None:
        """The one parent (these files have at most one), or None for a base."""
        return self.down_revisions[0] if self.down_revisions else None

    def __repr__(self) -> str:
        return f"Header({self.revision!r}, {self.down_revision!r}, path={self.path!r})"


def read_revision_headers(dirs: tuple[Path, ...]) -> list[Header] | None:
    """Every revision file's header, in Alembic's file order; None when any file needs Alembic.

    A file needs Alembic unless its top level is only a docstring, comments, imports that
    cannot fail, ``def`` lines and ``revision``/``down_revision`` (plus empty
    ``branch_labels``/``depends_on``) assigned plain string literals or None, and it compiles.
    """
    headers: list[Header] = []
    seen: set[str] = set()
    for directory in dirs:
        if not directory.exists():
            continue  # as Alembic: a missing version location holds nothing
        if not directory.is_dir():
            return None
        real_dir = str(directory.resolve())
        if real_dir in seen:
            return None  # Alembic warns about files loaded twice
        seen.add(real_dir)
        with os.scandir(directory) as entries:
            files = sorted((e for e in entries if not e.is_dir()), key=lambda e: e.name)
        for entry in files:
            if not _REVISION_FILE.match(entry.name):
                continue
            if entry.is_symlink():
                return None
            header = _read_header(os.path.join(real_dir, entry.name))
            if header is None:
                return None
            headers.append(header)
    return headers


def _read_header(path: str) -> Header | None:
    """The header of one file, or None unless it is plainly literal (see :func:`read_revision_headers`)."""
    try:
        with open(path, "rb") as file:
            data = file.read()
            stat = os.fstat(file.fileno())
        source = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    if "\r" in source or "import *" in source or _CODING.search(source, 0, 400):
        return None
    doc = _docstring(source)
    if doc is None:
        return None
    longdoc, doc_end = doc
    values: dict[str, Any] = {}
    bound: set[str] = set()
    annotations: list[str] = []
    for statement in _STATEMENT.finditer(source, doc_end):
        line = statement.group()
        if (assignment := _ASSIGNMENT.fullmatch(line)) is not None:
            name, annotation, text = assignment.groups()
            simple = _SIMPLE_VALUE.fullmatch(text)
            if name in values or simple is None:
                return None  # assigned twice, or a value that is not a plain string or None
            values[name] = simple.group(1) if simple.group(1) is not None else simple.group(2)
            if annotation:
                annotations.append(annotation)
        elif (names := _safe_import(line)) is not None:
            bound.update(names)
        elif not _DEF.fullmatch(line):
            return None
    if "annotations" not in bound:  # without `from __future__ import annotations` they are evaluated
        known = bound | _BUILTIN_ANNOTATIONS
        if any(word not in known for text in annotations for word in _IDENTIFIER.findall(text)):
            return None
    revision, down = values.get("revision", _UNSET), values.get("down_revision", _UNSET)
    if not isinstance(revision, str) or not revision.isascii() or not revision.replace("_", "").isalnum():
        return None
    if down is not None and (not isinstance(down, str) or not down):
        return None
    if values.get("branch_labels") is not None or values.get("depends_on") is not None:
        return None
    if not _compiles(path, data, stat):
        return None
    return Header(revision, down, longdoc.strip(), path)


_IMPORTABLE: dict[str, bool] = {}


def _safe_import(line: str) -> set[str] | None:
    """The names an import line binds, if it is one that cannot fail here: sqlalchemy, alembic's
    ``op``/``context``, names that exist in ``typing``/``collections.abc``, ``__future__``
    annotations, and sqlalchemy's bundled dialects. None for every other line."""
    if (plain := _IMPORT.fullmatch(line)) is not None:
        return {plain.group(2) or plain.group(1)} if _installed(plain.group(1)) else None
    match = _FROM_IMPORT.fullmatch(line)
    if match is None:
        return None
    module, names = match.group(1), {n.strip() for n in match.group(2).split(",")}
    if module == "__future__":
        return names if names == {"annotations"} else None
    if module == "alembic":
        return names if names <= {"op", "context"} and _installed("alembic") else None
    if module in ("typing", "collections.abc"):
        loaded = importlib.import_module(module)  # both are already imported by dbctl itself
        return names if all(hasattr(loaded, n) for n in names) else None
    if module == "sqlalchemy.dialects" and _installed("sqlalchemy"):
        spec = importlib.util.find_spec("sqlalchemy")
        roots = list(spec.submodule_search_locations or ()) if spec else []
        ok = all(any(os.path.isfile(os.path.join(r, "dialects", n, "__init__.py")) for r in roots) for n in names)
        return names if ok else None
    return None


def _installed(top_level: str) -> bool:
    if top_level not in _IMPORTABLE:
        _IMPORTABLE[top_level] = importlib.util.find_spec(top_level) is not None
    return _IMPORTABLE[top_level]


def _docstring(source: str) -> tuple[str, int] | None:
    """The module docstring (``""`` without one) and where it ends; None when only Python can tell."""
    start = _LEADING.match(source).end()  # type: ignore[union-attr]
    if source.startswith(('"""', "'''"), start):
        quote = source[start : start + 3]
    elif source.startswith(('"', "'"), start):
        quote = source[start]
    elif _PREFIXED_STRING.match(source, start):
        return None
    else:
        return "", start
    body_start = start + len(quote)
    end = source.find(quote, body_start)
    if end < 0:
        return None
    body = source[body_start:end]
    line_end = source.find("\n", end)
    rest = source[end + len(quote) : line_end if line_end >= 0 else len(source)].strip()
    if "\\" in body or (len(quote) == 1 and "\n" in body) or (rest and not rest.startswith("#")):
        return None
    return body, end + len(quote)


def _compiles(path: str, data: bytes, stat: os.stat_result) -> bool:
    """Whether the file compiles: its bytecode cache is up to date (as the import system checks
    it), or compiling it now succeeds (and is cached, as importing it would)."""
    try:
        cached = importlib.util.cache_from_source(path)
        with open(cached, "rb") as file:
            head = file.read(16)
    except (OSError, ValueError, NotImplementedError):
        head = b""
    if len(head) == 16 and head[:4] == importlib.util.MAGIC_NUMBER:
        flags = int.from_bytes(head[4:8], "little")
        if (
            flags == 0
            and int.from_bytes(head[8:12], "little") == int(stat.st_mtime) & 0xFFFFFFFF
            and int.from_bytes(head[12:16], "little") == stat.st_size & 0xFFFFFFFF
        ):
            return True
        if flags & 1 and head[8:16] == importlib.util.source_hash(data):
            return True
    if sys.dont_write_bytecode:
        try:
            compile(data, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return False
        return True
    import py_compile

    try:
        py_compile.compile(path, doraise=True)
    except py_compile.PyCompileError:
        return False
    except OSError:
        pass  # compiled, but the cache could not be written (a read-only checkout)
    return True
