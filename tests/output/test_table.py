"""The plain-grid fast path prints exactly what rich's table layout prints, or nothing."""

from __future__ import annotations

import pytest
from rich.markup import escape

from dbctl.output.table import print_plain_grid, print_table
from tests.output.conftest import make_terminal

COLUMNS = ["revision", "down", "", "message"]
CASES = {
    "ascii": [["ae1", "-", "base", "create users"], ["b2c3d4e5f6a7", "ae1", "head", "add posts"]],
    "empty cells": [["a", "", "", ""], ["", "b", "", "c"]],
    "wide characters": [["ae1", "-", "", "日本語のメッセージ"], ["b2", "ae1", "head", "ünïcödé ✓"]],
    "markup-like text": [["ae1", "-", "", "add [bold]col[/bold] to [t]"]],
    "single row": [["only", "-", "head base", "x"]],
}


@pytest.mark.parametrize("rows", CASES.values(), ids=CASES.keys())
def test_grid_matches_rich(rows: list[list[str]]) -> None:
    fast, slow = make_terminal(width=120), make_terminal(width=120)
    assert print_plain_grid(fast.terminal.out, COLUMNS, rows)
    print_table(slow.terminal.out, COLUMNS, [[escape(cell) for cell in row] for row in rows])
    assert fast.out == slow.out


@pytest.mark.parametrize(
    "cell",
    ["tab\there", "line\nbreak", "an :smile: code"],
    ids=["tab", "newline", "emoji code"],
)
def test_grid_leaves_what_rich_changes_to_rich(cell: str) -> None:
    term = make_terminal(width=120)
    assert not print_plain_grid(term.terminal.out, COLUMNS, [["a", "-", "", cell]])
    assert term.out == ""


def test_grid_leaves_tables_wider_than_the_terminal_to_rich() -> None:
    term = make_terminal(width=30)
    assert not print_plain_grid(term.terminal.out, COLUMNS, [["a", "-", "", "a message far too long for thirty"]])
    assert term.out == ""


def test_grid_is_not_used_with_colours() -> None:
    import io

    from rich.console import Console

    colour = Console(file=io.StringIO(), force_terminal=True, color_system="standard", width=120)
    assert not print_plain_grid(colour, COLUMNS, CASES["ascii"])
    assert colour.file.getvalue() == ""
