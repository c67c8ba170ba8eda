"""The terminal dbctl writes to: its streams, colour and width, and the chatter helpers.

The command line makes one :class:`Terminal` per run and passes it to every renderer; tests make
their own on ``io.StringIO`` streams. Every byte written passes through
:func:`dbctl.redact.scrub`, so a password that reaches a message by any route (a driver error
echoing a DSN, a traceback with ``-v``) is masked.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import IO, TYPE_CHECKING, Any

from dbctl.redact import scrub

if TYPE_CHECKING:
    from rich.console import Console

# what rich would turn into an emoji (its own pattern is the same, less the name check)
_EMOJI_CODE = re.compile(r":\S*?:")
PIPE_WIDTH = 200  # piped output is read by programs and logs: do not cut it at 80 columns


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


class Terminal:
    """stdout for data, stderr for chatter, stdin for the confirmation prompt.

    ``width`` None: the terminal's width on a terminal (or ``$COLUMNS``), else 200 columns.
    ``no_color`` None: whether ``$NO_COLOR`` is set (rich adds no colour off a terminal anyway).
    ``quiet`` silences the chatter (:meth:`info`, :meth:`success`, the status line); ``verbose``
    shows tracebacks of expected errors.
    """

    def __init__(
        self,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
        stdin: IO[str] | None = None,
        *,
        width: int | None = None,
        no_color: bool | None = None,
        quiet: bool = False,
        verbose: bool = False,
    ) -> None:
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.stdin = stdin or sys.stdin
        self.width = width
        self.no_color = "NO_COLOR" in os.environ if no_color is None else no_color
        self.quiet = quiet
        self.verbose = verbose

    def _console(self, stream: IO[str]) -> Console:
        from rich.console import Console

        width = self.width
        if width is None and not (stream.isatty() or "COLUMNS" in os.environ):
            width = PIPE_WIDTH
        return Console(
            file=ScrubbingWriter(stream),  # type: ignore[arg-type]
            width=width,
            highlight=False,
            soft_wrap=True,
            no_color=self.no_color or None,
        )

    @cached_property
    def out(self) -> Console:
        """The rich console for data (stdout)."""
        return self._console(self.stdout)

    @cached_property
    def err(self) -> Console:
        """The rich console for progress, warnings and errors (stderr)."""
        return self._console(self.stderr)

    @property
    def interactive(self) -> bool:
        """Whether someone can answer a prompt (stdin is a terminal)."""
        return self.stdin.isatty()

    # -- data ---------------------------------------------------------------------------------
    def write(self, text: str) -> None:
        """``text`` as is on stdout (no markup, no wrapping), scrubbed."""
        self.stdout.write(scrub(text))
        self.stdout.flush()

    def write_json(self, data: Any) -> None:
        """``data`` as indented JSON on stdout."""
        self.write(json.dumps(data, indent=2, default=str) + "\n")

    # -- chatter ------------------------------------------------------------------------------
    def info(self, message: str) -> None:
        """A line of chatter on stderr, silenced by ``quiet``."""
        if not self.quiet:
            self.err.print(message)

    def info_line(self, markup: str, plain: str) -> None:
        """:meth:`info` for a line that reads ``plain`` without its markup. Where rich would print
        ``plain`` unchanged it is written directly: rich's rendering costs about 0.2 ms a line,
        which showed in upgrades of hundreds of revisions."""
        if self.quiet:
            return
        if prints_as_is(self.err, plain):
            self.err.file.write(plain + "\n")
            self.err.file.flush()
            return
        self.err.print(markup)

    def success(self, message: str) -> None:
        if not self.quiet:
            self.err.print(f"[green]✓[/green] {message}")

    def warning(self, message: str) -> None:
        self.err.print(f"[yellow]warning:[/yellow] {message}")

    def error(self, message: str, hint: str | None = None) -> None:
        """One line for the error, one for the hint: the only way errors are shown."""
        from rich.markup import escape

        self.err.print(f"[bold red]error:[/bold red] {escape(_one_line(message))}")
        if hint:
            self.err.print(f"[dim]hint:[/dim] {escape(_one_line(hint))}")

    @contextlib.contextmanager
    def status(self, text: str) -> Iterator[Callable[[str], None]]:
        """A status line on stderr (terminals only); yields a function that changes its text."""
        if self.quiet:
            yield lambda _text: None
            return
        with self.err.status(text) as status:
            yield lambda new: status.update(new)


def prints_as_is(console: Console, plain: str) -> bool:
    """Whether ``console`` would print the markup of ``plain`` as exactly ``plain``: it has no
    colours (a pipe, a file) and the text has no control characters and no ``:emoji:`` codes."""
    return console.color_system is None and plain.isprintable() and not _EMOJI_CODE.search(plain)


def _one_line(text: str) -> str:
    """Keep an error on its line even when it quotes a key or value holding a line break."""
    return text.replace("\r", "\\r").replace("\n", "\\n")
