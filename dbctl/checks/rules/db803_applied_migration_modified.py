"""A revision file changed after it was applied to the target.

**What it does**

`dbctl check -t T` reads dbctl's ledger on the target `T` (the SHA-256 of each revision file
when dbctl applied it) and reports every revision applied there whose file no longer has
that checksum. It only reads the database.

**Why is this bad?**

An applied revision never runs again on that database: whatever the edit changes will not
happen there, while every fresh database (tests, new environments) gets the new version. The
databases then differ silently. Flyway refuses to migrate in this state for the same reason.

**Example**

```python
# versions/3f2a9c1b7e10_add_orders.py, applied to production last week, edited today:
def upgrade():
    op.create_table("orders", ...)
    op.create_index("ix_orders_status", "orders", ["status"])  # added after the fact
```

**Use instead**

Restore the applied file from version control and put the change in a new revision:

```sh
git checkout origin/main -- migrations/versions/3f2a9c1b7e10_add_orders.py
dbctl revision -m "index orders.status"
```

**Alembic notes**

Plain Alembic keeps no checksums. Revisions a database had before dbctl first touched it are
recorded with the checksum of their file at that time (`baseline` rows); revisions applied by
plain `alembic` since then have no ledger row and are not checked.

**Options**

Runs whenever `dbctl check` is given a target (`-t`); `[lint] ignore = ["DB803"]` turns it
off. A harmless edit (a comment, formatting) is fixed by restoring the file.

**References**

- Flyway, "Validate": https://documentation.red-gate.com/fd/validate-184127464.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Rule, register

if TYPE_CHECKING:
    from dbctl.checks.context import CheckContext
    from dbctl.lint.findings import Finding


@register
class AppliedMigrationModified(Rule):
    code = "DB803"
    name = "applied-migration-modified"
    severity = "error"
    check = "database"
    enabled_by = "target"
    reads_target = True
    opt_in = True
    fix = "restore the file as it was applied and make the change in a new revision"

    def check_database(self, context: CheckContext) -> Iterator[Finding]:
        state = context.state
        for info in state.modified:
            line = context.find_line(info.path, r"^revision\b")
            message = (
                f"revision {info.revision} ({info.message or 'no message'}) is applied on target "
                f"'{state.name}', and its file has changed since (the ledger's checksum differs)"
            )
            yield context.finding(self, info.path, line, message)
