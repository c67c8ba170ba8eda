"""The README's rule table is the registry's, and its first two commands are the documented ones."""

from __future__ import annotations

import re
from pathlib import Path

from dbctl.lint.registry import rules_markdown_table

README = Path(__file__).parents[1] / "README.md"


def test_rules_table_is_generated_from_the_registry() -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- rules-table:start[^>]*-->\n(.*?)<!-- rules-table:end -->", text, re.S)
    assert match, "README lost its rules-table markers"
    assert match.group(1).strip() == rules_markdown_table().strip(), (
        "README rule table is stale: paste the output of "
        "`python -c 'from dbctl.lint.registry import rules_markdown_table as t; print(t())'`"
    )


def test_readme_opens_with_the_two_commands() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1 : lines.index("```")]
    assert block == [
        "python -m pip install . && dbctl -C sample_project upgrade head",
        'python -m pip install -e ".[test]" && python -m pytest',
    ]
