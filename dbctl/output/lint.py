"""Render lint results: text (code frames), JSON, GitHub workflow annotations and SARIF 2.1.0;
the list of rules and one rule's documentation.

The JSON, GitHub and SARIF paths write plain text and never import rich.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from dbctl.output.terminal import Terminal

if TYPE_CHECKING:
    from rich.console import Console

    from dbctl.lint.findings import Finding, LintReport
    from dbctl.lint.registry import Rule
    from dbctl.results import RuleList

SARIF_ROOT = "%SRCROOT%"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
MAX_FRAME_LINES = 6


def display_path(file: str) -> str:
    """``file`` relative to the working directory when it is inside it, with ``/`` separators."""
    path = Path(file)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def repository_root(files: Iterable[str] = ()) -> Path:
    """What CI paths are relative to: ``GITHUB_WORKSPACE`` when set, else the top level of the
    git work tree holding the working directory (a ``.git`` folder or file), else the working
    directory - the first of these that holds every one of ``files``. ``dbctl -C server check``
    in a repository gets ``server/...`` paths, as GitHub and SARIF viewers expect."""
    cwd = Path.cwd().resolve()
    candidates = [Path(workspace).resolve()] if (workspace := os.environ.get("GITHUB_WORKSPACE")) else []
    candidates.append(next((folder for folder in (cwd, *cwd.parents) if (folder / ".git").exists()), cwd))
    candidates.append(cwd)
    paths = [Path(file).resolve() for file in files]
    return next((root for root in candidates if all(p.is_relative_to(root) for p in paths)), candidates[0])


def ci_path(file: str, root: Path) -> str | None:
    """``file`` relative to ``root`` with ``/`` separators; None when it is outside ``root``."""
    try:
        return Path(file).resolve().relative_to(root).as_posix()
    except ValueError:
        return None


def lint_report(report: LintReport, fmt: str, term: Terminal) -> None:
    """Write ``report`` to stdout in ``fmt`` (text, json, github or sarif); its notes (rules
    that did not run, and why) go to stderr, once, in every format."""
    if fmt == "text":
        text(report, term)
    elif fmt == "github":
        term.write("".join(line + "\n" for line in github_lines(report)))
    else:
        term.write_json({"json": report_dict, "sarif": sarif_dict}[fmt](report))
    if report.notes and not term.quiet:
        term.stderr.write("".join(f"note: {note}\n" for note in report.notes))
        term.stderr.flush()


# -- JSON ---------------------------------------------------------------------------------------


def report_dict(report: LintReport) -> dict[str, Any]:
    """The documented JSON shape: ``{"files_checked": N, "dialects": [...], "dialect_source":
    "...", "findings": [...]}`` (file paths relative to the working directory)."""
    findings = []
    for finding in report.findings:
        item = finding.to_dict()
        item["file"] = display_path(finding.file)
        findings.append(item)
    return {
        "files_checked": report.files_checked,
        "dialects": list(report.dialects),
        "dialect_source": report.dialect_source,
        "findings": findings,
    }


# -- GitHub workflow commands ------------------------------------------------------------------


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_lines(report: LintReport) -> list[str]:
    """One ``::error file=…,line=…,col=…,title=…::message`` command per finding; ``file`` is
    relative to the repository root (:func:`repository_root`), as GitHub expects."""
    root = repository_root(f.file for f in report.findings)
    lines = []
    for f in report.findings:
        props = ",".join(
            [
                f"file={_escape_property(ci_path(f.file, root) or Path(f.file).as_posix())}",
                f"line={f.line}",
                f"col={f.column}",
                f"endLine={max(f.end_line, f.line)}",
                f"title={_escape_property(f'{f.code} {f.name}')}",
            ]
        )
        message = f.message + (f"\nhelp: {f.help}" if f.help else "")
        lines.append(f"::{GITHUB_LEVEL[f.severity]} {props}::{_escape_data(message)}")
    return lines


# -- SARIF --------------------------------------------------------------------------------------


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    what = rule.section("What it does") or rule.summary
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": what},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity]},
        "properties": {"tags": list(rule.dialects) or ["all"]},
    }


def sarif_dict(report: LintReport) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run: rule metadata from the docstrings, one result per
    finding at a URI relative to ``%SRCROOT%`` (the repository root, :func:`repository_root`),
    and the dialects whose rules ran in the run's ``properties``."""
    from dbctl import __version__
    from dbctl.lint.registry import all_rules

    rules = list(all_rules().values())
    index = {rule.code: i for i, rule in enumerate(rules)}
    root = repository_root(f.file for f in report.findings)
    results = []
    for f in report.findings:
        relative = ci_path(f.file, root)
        location: dict[str, Any] = (
            {"uri": quote(relative), "uriBaseId": SARIF_ROOT}
            if relative is not None
            else {"uri": Path(f.file).resolve().as_uri()}
        )
        results.append(
            {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": SARIF_LEVEL[f.severity],
                "message": {"text": f.message + (f" (help: {f.help})" if f.help else "")},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": location,
                            "region": {
                                "startLine": f.line,
                                "startColumn": f.column,
                                "endLine": max(f.end_line, f.line),
                            },
                        }
                    }
                ],
            }
        )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dbctl",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/dbctl/",
                        "rules": [_sarif_rule(rule) for rule in rules],
                    }
                },
                "originalUriBaseIds": {SARIF_ROOT: {"uri": root.as_uri() + "/"}},
                "properties": {
                    "dialects": list(report.dialects),
                    "dialect_source": report.dialect_source,
                    "notes": list(report.notes),
                },
                "results": results,
            }
        ],
    }


# -- text ---------------------------------------------------------------------------------------


def _read_lines(file: str) -> list[str]:
    try:
        return Path(file).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _frame(finding: Finding, lines: list[str]) -> list[str]:
    """Markup lines: the offending source line(s) with numbers and a caret under the column."""
    from rich.markup import escape

    if not lines or finding.line > len(lines):
        return []
    last = min(max(finding.end_line, finding.line), len(lines), finding.line + MAX_FRAME_LINES - 1)
    width = len(str(last))
    frame = []
    for number in range(finding.line, last + 1):
        marker = ">" if number == finding.line else " "
        frame.append(f"  [dim]{marker} {number:>{width}} │[/dim] {escape(lines[number - 1])}")
        if number == finding.line:
            pad = " " * (finding.column - 1)
            frame.append(f"  [dim]  {' ' * width} │[/dim] {pad}[{STYLE[finding.severity]}]^[/]")
    return frame


def text(report: LintReport, term: Terminal, console: Console | None = None) -> None:
    """Findings grouped by file, each with a code frame and its fix hint; then the counts.
    Printed on stdout unless another console (stderr, after `dbctl revision`) is given."""
    console = console or term.out
    if not report.findings:
        console.print(f"[green]✓[/green] no problems in {report.files_checked} file(s)")
        return
    from rich.markup import escape

    current = None
    lines: list[str] = []
    for f in report.findings:
        if f.file != current:
            if current is not None:
                console.print()
            current = f.file
            lines = _read_lines(f.file)
            console.print(f"[bold underline]{escape(display_path(f.file))}[/]")
        style = STYLE[f.severity]
        console.print(
            f"[bold]{f.line}:{f.column}[/bold] [{style}]{f.severity}[/] [bold]{f.code}[/bold] "
            f"[dim]{f.name}[/dim]  {escape(f.message)}"
        )
        for row in _frame(f, lines):
            console.print(row)
        if f.help:
            console.print(f"  [dim]help:[/dim] {escape(f.help)}")
    counts = report.counts()
    summary = ", ".join(f"{n} {sev}{'' if n == 1 or sev == 'info' else 's'}" for sev, n in counts.items())
    total = len(report.findings)
    console.print()
    console.print(
        f"Found {total} problem{'s' if total != 1 else ''} ({summary}) in {report.files_checked} file(s) checked."
    )


# -- rules ----------------------------------------------------------------------------------------


def rules(result: RuleList, term: Terminal) -> None:
    """``dbctl rules``: a table of code, name, severity, dialects and summary."""
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for title in ("code", "name", "severity", "dialects", "summary"):
        table.add_column(title, overflow="fold")
    for rule in result.rules:
        table.add_row(rule.code, rule.name, rule.severity, ", ".join(rule.dialects) or "all", rule.summary)
    term.out.print(table)


def rule_doc(rule: Rule, term: Terminal) -> None:
    """``dbctl rule CODE``: the rule's docstring (rendered as Markdown on a terminal)."""
    header = f"{rule.code} {rule.name} ({rule.severity}"
    header += f"; {', '.join(rule.dialects)})" if rule.dialects else ")"
    if term.stdout.isatty() and not term.no_color:
        from rich.markdown import Markdown

        term.out.print(f"[bold]{header}[/bold]\n")
        term.out.print(Markdown(rule.doc))
    else:
        term.write(f"{header}\n\n{rule.doc}\n")
