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

from dbctl.lint.registry import Rule, register


@register
class UnusedSuppression(Rule):
    code = "DB001"
    name = "unused-suppression"
    severity = "info"
    fix = "remove the comment, or correct the code it names"
