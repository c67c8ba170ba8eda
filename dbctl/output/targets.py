"""Text of `dbctl targets`: a table of the configured targets (passwords already hidden)."""

from __future__ import annotations

from rich.markup import escape

from dbctl.output.table import print_table
from dbctl.output.terminal import Terminal
from dbctl.results import TargetList


def targets(result: TargetList, term: Terminal) -> None:
    rows = []
    for t in result.targets:
        url = escape(t.url) if t.error is None else f"{escape(t.url)} [yellow]({escape(t.error)})[/yellow]"
        rows.append(
            ["*" if t.default else "", t.name, t.dialect or "?", t.driver or "?", url, "yes" if t.protected else ""]
        )
    print_table(term.out, ["", "target", "dialect", "driver", "url", "protected"], rows)
