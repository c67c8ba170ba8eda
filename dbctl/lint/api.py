"""The public entry point of the linter: :func:`lint_project`. Pure: never prints."""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from dbctl.config.model import ProjectConfig
from dbctl.errors import ConfigError, UsageError
from dbctl.lint.engine import Linter, RevisionInfo, Suppressions, parse_migration
from dbctl.lint.findings import Finding, LintReport
from dbctl.lint.graph import check_graph, revisions_after
from dbctl.lint.registry import all_rules, expand_selectors

__all__ = ["enabled_rules", "lint_project", "migration_files", "versions_dirs"]


def lint_project(project: ProjectConfig, paths: list[Path] | None = None, since: str | None = None) -> LintReport:
    """Lint the migrations of ``project`` and check its revision graph.

    :param project: the loaded configuration; its ``[lint]`` table selects rules, severities,
        dialects, ``start_after`` and ``fail_on``.
    :param paths: files or directories to lint instead of every file in the versions
        directories (the revision graph still covers all of them, plus these).
    :param since: a git ref: only files added or changed since it (and untracked files) are
        linted; the revision graph still covers every file.
    :raises ConfigError: an unknown rule code in the config, an unknown ``start_after``, no
        versions directory.
    :raises UsageError: a path that does not exist, a bad git ref, no git repository.
    """
    enabled = enabled_rules(project)
    linter = Linter(enabled, project.lint.severity)

    graph_files = migration_files(versions_dirs(project), required=not paths)
    if paths:
        explicit = _expand(paths)
        to_lint = set(explicit)
        graph_files = sorted(set(graph_files) | set(explicit))
    else:
        to_lint = set(graph_files)
    if since is not None:
        changed = changed_since(project.root, since)
        to_lint &= changed

    # Parsed trees are acyclic and freed by reference counting; the cyclic collector would only
    # rescan the thousands of live nodes again and again (it doubled the run time).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _lint(project, linter, enabled, graph_files, to_lint)
    finally:
        if gc_was_enabled:
            gc.enable()


@dataclass
class _FileResult:
    """What linting one file produced; crosses a process boundary (pickled) when run in parallel."""

    path: str
    info: RevisionInfo
    linted: bool
    findings: list[Finding]
    suppressions: Suppressions | None


def _lint_files(linter: Linter, to_lint: set[str], paths: list[str]) -> list[_FileResult]:
    results = []
    for path in paths:
        item = parse_migration(path)
        if isinstance(item, RevisionInfo) or item.revision.error:
            info = item if isinstance(item, RevisionInfo) else item.revision
            results.append(_FileResult(path, info, path in to_lint, [], None))
            continue
        suppressions = Suppressions(item.source)
        findings = []
        if path in to_lint:
            for code, hit in linter.hits(item):
                if suppressions and suppressions.suppresses(code, hit):
                    continue
                findings.append(linter.finding(item.path, code, hit))
        results.append(_FileResult(path, item.revision, path in to_lint, findings, suppressions or None))
    return results


def _lint(
    project: ProjectConfig, linter: Linter, enabled: frozenset[str], graph_files: list[str], to_lint: set[str]
) -> LintReport:
    results = parallel_map(partial(_lint_files, linter, to_lint), graph_files)
    infos = [result.info for result in results]

    after: set[str] | None = None
    if project.lint.start_after:
        after = revisions_after(infos, project.lint.start_after)
        if after is None:
            raise ConfigError(
                f"{_key(project, 'lint.start_after')}: unknown revision '{project.lint.start_after}'",
                hint="give the id (or a unique prefix) of a revision in the versions directory",
            )

    findings: list[Finding] = []
    checked: list[_FileResult] = []
    for result in results:
        if not result.linted or (after is not None and result.info.revision not in after):
            continue
        checked.append(result)
        findings.extend(result.findings)

    by_file = {result.path: result for result in results}
    for file, code, hit in check_graph(infos, enabled):
        suppressions = by_file[file].suppressions if file in by_file else None
        if suppressions and suppressions.suppresses(code, hit):
            continue
        findings.append(linter.finding(file, code, hit))
    for result in checked:
        if result.suppressions:
            findings.extend(linter.unused_suppressions(result.path, result.suppressions))

    return LintReport(
        files_checked=len(checked),
        findings=tuple(sorted(findings, key=lambda f: (f.file, f.line, f.column, f.code))),
        fail_on=project.lint.fail_on,
        rules=tuple(sorted(enabled)),
    )


def parallel_map(work: Callable[[list[str]], list[_FileResult]], items: list[str]) -> list[_FileResult]:
    """``work(items)``, split over forked worker processes when there are enough items.

    Parsing is CPU-bound and the GIL serialises it, so large projects are split into one chunk
    per available core; each child returns its results through a pipe (pickled). On platforms
    without a safe ``fork`` (or when ``DBCTL_LINT_JOBS=1``) everything runs in this process;
    a child that fails is redone here.
    """
    jobs = _jobs(len(items))
    if jobs <= 1:
        return work(items)
    size = -(-len(items) // jobs)
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    sys.stdout.flush()
    sys.stderr.flush()
    children = []
    for chunk in chunks[1:]:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            status = 1
            try:
                os.close(read_fd)
                data = pickle.dumps(work(chunk), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_fd, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write_fd)
        children.append((pid, read_fd, chunk))
    results = work(chunks[0])
    for pid, read_fd, chunk in children:
        with os.fdopen(read_fd, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        try:
            part = pickle.loads(data) if status == 0 else None
        except Exception:  # a child that died half-way: do its share here
            part = None
        results.extend(part if part is not None else work(chunk))
    return results


MIN_FILES_PER_JOB = 250


def _jobs(count: int) -> int:
    setting = os.environ.get("DBCTL_LINT_JOBS", "")
    if setting.isdigit() and int(setting) >= 1:
        wanted = int(setting)
    else:
        try:
            wanted = len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            return 1
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return 1
    return max(1, min(wanted, 8, count // MIN_FILES_PER_JOB))


def _key(project: ProjectConfig, key: str) -> str:
    return f"{project.display_path}: {'tool.dbctl.' if project.in_pyproject else ''}{key}"


def enabled_rules(project: ProjectConfig) -> frozenset[str]:
    """The codes of the rules that run for ``project``: ``select`` minus ``ignore``, scoped to
    the dialects of ``[lint] dialects`` or of the configured targets (all rules when no dialect
    is known). Raises :class:`ConfigError` for an unknown code."""
    from dbctl.targets import DIALECT_ALIASES, configured_dialects

    lint = project.lint
    rules = all_rules()
    if lint.select:
        codes = expand_selectors(lint.select, _key(project, "lint.select"))
    else:
        codes = {code for code, rule in rules.items() if not getattr(rule, "opt_in", False)}
    codes -= expand_selectors(lint.ignore, _key(project, "lint.ignore"))
    for code in lint.severity:
        if code not in rules:
            raise ConfigError(
                f"{_key(project, f'lint.severity.{code}')}: unknown rule code {code!r}",
                hint="`dbctl rules` lists the known codes",
            )
    dialects = {DIALECT_ALIASES.get(d, d) for d in lint.dialects} or configured_dialects(project)
    if dialects:
        codes = {code for code in codes if not rules[code].dialects or dialects & set(rules[code].dialects)}
    return frozenset(codes)


def versions_dirs(project: ProjectConfig) -> tuple[Path, ...]:
    """Where the migrations live: ``version_locations``, else ``script_location/versions``."""
    return project.version_locations or (project.script_location / "versions",)


def migration_files(dirs: Iterable[Path], *, required: bool = True) -> list[str]:
    """Every ``*.py`` file (not ``__init__.py``) directly in ``dirs``, as resolved path strings."""
    files: set[str] = set()
    found_dir = False
    for folder in dirs:
        if not folder.is_dir():
            continue
        found_dir = True
        files.update(_py_files(folder))
    if required and not found_dir:
        shown = ", ".join(str(d) for d in dirs)
        raise ConfigError(
            f"no versions directory: {shown} does not exist",
            hint="run `dbctl init`, or set script_location / version_locations in the config",
        )
    return sorted(files)


def _py_files(folder: Path) -> list[str]:
    """``*.py`` files directly in ``folder`` except ``__init__.py`` (resolving the folder once)."""
    base = folder.resolve()
    with os.scandir(base) as entries:
        return [
            os.path.join(base, e.name)
            for e in entries
            if e.name.endswith(".py") and e.name != "__init__.py" and e.is_file()
        ]


def _expand(paths: Iterable[Path]) -> list[str]:
    files: set[str] = set()
    for path in paths:
        if path.is_dir():
            files.update(_py_files(path))
        elif path.is_file():
            files.add(str(path.resolve()))
        else:
            raise UsageError(f"{path}: no such file or directory")
    return sorted(files)


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise UsageError("--since needs git, and git is not installed") from None


def changed_since(root: Path, ref: str) -> set[str]:
    """Resolved paths of files added, copied, modified or renamed since ``ref``, plus untracked
    files, in the git repository that holds ``root``."""
    if not ref or ref.startswith("-"):
        raise UsageError(f"--since {ref!r}: not a git revision")
    top = _git(["rev-parse", "--show-toplevel"], root)
    if top.returncode != 0:
        raise UsageError(f"--since needs a git repository, and {root} is not in one")
    toplevel = Path(top.stdout.strip())
    if _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], toplevel).returncode != 0:
        raise UsageError(f"--since {ref}: unknown git revision", hint="fetch it first (e.g. git fetch origin main)")
    diff = _git(["diff", "--name-only", "-z", "--diff-filter=ACMR", ref, "--"], toplevel)
    if diff.returncode != 0:
        raise UsageError(f"--since {ref}: git diff failed: {diff.stderr.strip()}")
    untracked = _git(["ls-files", "-z", "--others", "--exclude-standard"], toplevel)
    names = [n for n in (diff.stdout + "\0" + untracked.stdout).split("\0") if n]
    return {str((toplevel / name).resolve()) for name in names}
