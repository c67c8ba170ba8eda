"""A terminal on in-memory streams: what a pipe sees (no colour), at a fixed width."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest

from dbctl.output import Terminal


@dataclass
class Captured:
    terminal: Terminal
    stdout: io.StringIO
    stderr: io.StringIO

    @property
    def out(self) -> str:
        return self.stdout.getvalue()

    @property
    def err(self) -> str:
        return self.stderr.getvalue()


def make_terminal(width: int = 100, **options: bool) -> Captured:
    stdout, stderr = io.StringIO(), io.StringIO()
    return Captured(Terminal(stdout, stderr, io.StringIO(), width=width, no_color=True, **options), stdout, stderr)


@pytest.fixture
def term() -> Captured:
    return make_terminal()
