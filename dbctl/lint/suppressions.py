"""The ``# dbctl: ignore[...]`` and ``# dbctl: ignore-file[...]`` comments of one file."""

from __future__ import annotations

import io
import re
import tokenize

from dbctl.lint.registry import Hit

_SUPPRESSION = re.compile(r"dbctl:\s*(ignore-file|ignore)\[([^\]]*)\]")


class Suppressions:
    """The ``# dbctl: ignore[...]`` and ``# dbctl: ignore-file[...]`` comments of one file."""

    def __init__(self, source: str) -> None:
        self.lines: dict[int, dict[str, bool]] = {}  # line -> code -> used
        self.columns: dict[int, int] = {}  # line -> 1-based column of the comment
        self.file: dict[str, list] = {}  # code -> [line, used]
        if "dbctl:" not in source:  # the common case: no tokenizing
            return
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
        except (tokenize.TokenError, SyntaxError):
            return
        for token in tokens:
            if token.type != tokenize.COMMENT:
                continue
            for kind, codes in _SUPPRESSION.findall(token.string):
                line = token.start[0]
                self.columns.setdefault(line, token.start[1] + 1)
                for code in (c.strip().upper() for c in codes.split(",")):
                    if not code:
                        continue
                    if kind == "ignore-file":
                        self.file.setdefault(code, [line, False])
                    else:
                        self.lines.setdefault(line, {})[code] = False

    def __bool__(self) -> bool:
        return bool(self.lines or self.file)

    def suppresses(self, code: str, hit: Hit) -> bool:
        """True (and the suppression is marked used) when a comment covers ``code`` at ``hit``."""
        if code in self.file:
            self.file[code][1] = True
            return True
        if not self.lines:
            return False
        for line in (*range(hit.line, max(hit.end_line, hit.line) + 1), *hit.with_lines):
            codes = self.lines.get(line)
            if codes is not None and code in codes:
                codes[code] = True
                return True
        return False

    def unused(self) -> list[tuple[int, str]]:
        """(line, code) of every suppression that suppressed nothing."""
        found = [(line, code) for code, (line, used) in self.file.items() if not used]
        for line, codes in self.lines.items():
            found.extend((line, code) for code, used in codes.items() if not used)
        return sorted(found)
