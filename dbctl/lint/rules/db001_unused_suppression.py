"""A `# dbctl: ignore[...]` comment that suppresses nothing.

**What it does**

Reports a suppression comment (`# dbctl: ignore[CODE]` or `# dbctl: ignore-file[CODE]`) whose
rule ran on the file and found nothing to suppress there, or that names an unknown code.

**Why is this bad?**

Stale suppressions hide future problems: once the line changes, a real finding of the same
code is silenced without anyone looking at it. A misspelled code suppresses nothing at all.

**Example**

```python
def upgrade():
    op.create_table("tag", sa.Column("id", sa.Integer, primary_key=True))  # dbctl: ignore[DB203]
```

**Use instead**

```python
def upgrade():
    op.create_table("tag", sa.Column("id", sa.Integer, primary_key=True))
```

**Alembic notes**

Suppressions of rules that are switched off (by `[lint] ignore`, `select` or dialect scope)
are not reported: the comment may matter in another configuration.

**Options**

Severity is `info`, so it never fails a build unless `fail_on = "info"`.

**References**

- `dbctl rules` lists every known code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, all_rules, register

if TYPE_CHECKING:
    from dbctl.lint.suppressions import Suppressions


@register
class UnusedSuppression(Rule):
    code = "DB001"
    name = "unused-suppression"
    severity = "info"
    fix = "remove the comment, or correct the code it names"

    def check_suppressions(self, suppressions: Suppressions, enabled: frozenset[str]) -> Iterator[Hit]:
        rules = all_rules()
        for line, code in suppressions.unused():
            if code not in rules:
                message = f"suppression of unknown rule code {code}"
            elif code in enabled:
                message = f"unused suppression: no {code} ({rules[code].name}) finding here"
            else:
                continue  # the rule is off (config or dialect): the comment may matter elsewhere
            yield Hit(line, suppressions.columns.get(line, 1), message)
