"""Tables as ``Table(box=None, pad_edge=False)`` lays them out, with a fast path for pipes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbctl.output.terminal import prints_as_is

if TYPE_CHECKING:
    from rich.console import Console


def print_table(console: Console, columns: list[str], rows: list[list[str]], title: str | None = None) -> None:
    """Print ``rows`` (rich markup) under ``columns`` with rich's borderless table layout."""
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold", title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def print_plain_grid(console: Console, columns: list[str], rows: list[list[str]]) -> bool:
    """Print ``rows`` (plain text) under ``columns`` exactly as :func:`print_table` lays them out,
    when the console has no colours (a pipe, a file) and the table fits its width; return False,
    printing nothing, otherwise. Laying out a table cell by cell in rich costs about 0.2 ms a
    row, which made `dbctl history | ...` on 2,000 revisions take 0.45 s."""
    from rich.cells import cell_len

    if console.color_system is not None:
        return False
    widths = [cell_len(c) for c in columns]
    for row in rows:
        for index, cell in enumerate(row):
            if not prints_as_is(console, cell):  # tabs, newlines, :emoji: codes: rich's own handling
                return False
            width = len(cell) if cell.isascii() else cell_len(cell)
            if width > widths[index]:
                widths[index] = width
    if sum(widths) + 2 * (len(widths) - 1) > console.width:
        return False  # rich would wrap or shrink columns: let it

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell + " " * (width - (len(cell) if cell.isascii() else cell_len(cell)))
            for cell, width in zip(cells, widths, strict=True)
        )

    console.file.write("".join(line(r) + "\n" for r in [columns, *rows]))
    console.file.flush()
    return True
