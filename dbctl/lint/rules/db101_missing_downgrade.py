"""A migration that changes the schema but cannot be downgraded.

**What it does**

Flags a migration whose `upgrade()` changes the schema while `downgrade()` is missing, or
contains only `pass`, `...`, a docstring or `raise NotImplementedError`.

**Why is this bad?**

Without a downgrade, a bad deploy cannot be rolled back with `dbctl downgrade`: the only way
back is hand-written SQL under pressure. Tests that run upgrade/downgrade round trips cannot
cover the revision either.

**Example**

```python
def upgrade():
    op.add_column("user", sa.Column("nickname", sa.String(50)))


def downgrade():
    pass
```

**Use instead**

```python
def upgrade():
    op.add_column("user", sa.Column("nickname", sa.String(50)))


def downgrade():
    op.drop_column("user", "nickname")
```

**Alembic notes**

Autogenerate writes both functions; this usually fires on hand-written revisions or after the
generated downgrade was deleted. A revision that really is irreversible should say so with a
suppression and a comment: `def downgrade():  # dbctl: ignore[DB101] data is gone`.

**Options**

None.

**References**

- Alembic tutorial, "Create a Migration Script": https://alembic.sqlalchemy.org/en/latest/tutorial.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register
from dbctl.lint.syntax import SCHEMA_OPS, is_trivial_body

if TYPE_CHECKING:
    from dbctl.lint.parse import Migration


@register
class MissingDowngrade(Rule):
    code = "DB101"
    name = "missing-downgrade"
    severity = "error"
    per_file = True
    fix = "write a downgrade() that reverses every operation of upgrade()"

    def check_file(self, migration: Migration) -> Iterator[Hit]:
        upgrade = migration.functions.get("upgrade")
        if upgrade is None or not any(c.function == "upgrade" and c.method in SCHEMA_OPS for c in migration.calls):
            return
        downgrade = migration.functions.get("downgrade")
        if downgrade is None:
            yield Hit(
                upgrade.lineno, upgrade.col_offset + 1, "upgrade() changes the schema but there is no downgrade()"
            )
        elif is_trivial_body(downgrade.body):
            yield Hit(
                downgrade.lineno,
                downgrade.col_offset + 1,
                "downgrade() does nothing while upgrade() changes the schema",
                end_line=downgrade.body[0].lineno if downgrade.body else downgrade.lineno,
            )
