"""The two consoles (stdout for data, stderr for chatter), both scrubbed of secrets.

Every byte dbctl prints passes through :func:`dbctl.redact.scrub`, so a password that reaches
a message by any route (a driver error echoing a DSN, a traceback with ``-v``) is masked.
"""

from __future__ import annotations

import json
import os
import re
import sys
from functools import cache
from typing import IO, TYPE_CHECKING, Any

from dbctl.redact import scrub

if TYPE_CHECKING:
    from rich.console import Console


class ScrubbingWriter:
    """A text stream that masks secrets before writing to the real stream."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(scrub(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", "utf-8")


class _State:
    quiet = False
    verbose = False


state = _State()


def _make(stream: IO[str]) -> Console:
    from rich.console import Console

    # Piped output is read by programs and logs: do not cut it at 80 columns.
    width = None if stream.isatty() or "COLUMNS" in os.environ else 200
    return Console(
        file=ScrubbingWriter(stream),  # type: ignore[arg-type]
        width=width,
        highlight=False,
        soft_wrap=True,
        no_color="NO_COLOR" in os.environ or None,
    )


@cache
def out() -> Console:
    """The console for data (stdout)."""
    return _make(sys.stdout)


@cache
def err() -> Console:
    """The console for progress, warnings and errors (stderr)."""
    return _make(sys.stderr)


def write_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout (no rich markup, no wrapping)."""
    sys.stdout.write(scrub(json.dumps(data, indent=2, default=str)) + "\n")
    sys.stdout.flush()


def info(message: str) -> None:
    """A line of chatter on stderr, silenced by ``-q``."""
    if not state.quiet:
        err().print(message)


# what rich would turn into an emoji (its own pattern is the same, less the name check)
_EMOJI_CODE = re.compile(r":\S*?:")


def prints_as_is(console: Console, plain: str) -> bool:
    """Whether ``console`` would print the markup of ``plain`` as exactly ``plain``: it has no
    colours (a pipe, a file) and the text has no control characters and no ``:emoji:`` codes."""
    return console.color_system is None and plain.isprintable() and not _EMOJI_CODE.search(plain)


def info_line(markup: str, plain: str) -> None:
    """:func:`info` for a line that reads ``plain`` without its markup. Where rich would print
    ``plain`` unchanged it is written directly: rich's rendering costs about 0.2 ms a line, which
    showed in upgrades of hundreds of revisions."""
    if state.quiet:
        return
    console = err()
    if prints_as_is(console, plain):
        console.file.write(plain + "\n")
        console.file.flush()
        return
    console.print(markup)


def success(message: str) -> None:
    if not state.quiet:
        err().print(f"[green]✓[/green] {message}")


def warning(message: str) -> None:
    err().print(f"[yellow]warning:[/yellow] {message}")


def error(message: str, hint: str | None = None) -> None:
    """One line for the error, one for the hint: the only way errors are shown."""
    from rich.markup import escape

    err().print(f"[bold red]error:[/bold red] {escape(_one_line(message))}")
    if hint:
        err().print(f"[dim]hint:[/dim] {escape(_one_line(hint))}")


def _one_line(text: str) -> str:
    """Keep an error on its line even when it quotes a key or value holding a line break."""
    return text.replace("\r", "\\r").replace("\n", "\\n")
