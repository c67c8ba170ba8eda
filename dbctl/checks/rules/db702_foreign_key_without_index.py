"""A foreign-key column has no index that starts with it.

**What it does**

With `dbctl check --models`, imports the configured `metadata` and reports every foreign key
whose columns are not the leading columns of some index, unique constraint or the primary key
of their table. A composite primary key `user_roles(user_id, role_id)` covers `user_id`, not
`role_id`.

**Why is this bad?**

Databases index the referenced side (the primary key) but not the referencing column.
Joining from the parent to its children, and every `DELETE` or key update on the parent
(which must look for children to check, cascade or set null), then scans the whole child
table; on PostgreSQL the scan also holds locks for its whole length.

**Example**

```python
class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
```

**Use instead**

```python
class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (Index(None, "author_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
```

**Alembic notes**

Each finding's help names its own column(s), e.g.
`add an index that starts with the foreign-key column(s): Index(None, "role_id")`.
Autogenerate then writes the index into the next migration. On an existing PostgreSQL table
build it with `postgresql_concurrently=True` inside `autocommit_block()` (see DB203, DB204).

**Options**

Opt-in: runs only with `dbctl check --models`. A tiny, rarely joined lookup table may not
need the index: `[lint] ignore = ["DB702"]`, or accept the warning.

**References**

- PostgreSQL, "Foreign Keys" (indexing the referencing columns):
  https://www.postgresql.org/docs/current/ddl-constraints.html#DDL-CONSTRAINTS-FK
- SQLite, "Foreign Key Support", section "Required and Suggested Database Indexes":
  https://www.sqlite.org/foreignkeys.html#fk_indexes
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dbctl.lint.registry import ModelHit, Rule, register


@register
class ForeignKeyWithoutIndex(Rule):
    code = "DB702"
    name = "foreign-key-without-index"
    severity = "warning"
    check = "models"
    enabled_by = "models"
    opt_in = True
    fix = "add an index that starts with the foreign-key column(s)"

    def check_metadata(self, metadata: Any) -> Iterator[ModelHit]:
        for table in metadata.sorted_tables:
            leads = _leading_columns(table)
            for fk in sorted(table.foreign_key_constraints, key=lambda c: [col.name for col in c.columns]):
                columns = [col.name for col in fk.columns]
                if any(set(lead[: len(columns)]) == set(columns) for lead in leads):
                    continue
                referred = fk.referred_table.name
                shown = ", ".join(columns)
                quoted = ", ".join('"' + column + '"' for column in columns)
                yield ModelHit(
                    f"foreign key {table.name}({shown}) → {referred} has no index that starts with "
                    f"{'it' if len(columns) == 1 else 'them'}: joins from {referred} and deletes on {referred} "
                    f"scan {table.name}",
                    table=table.name,
                    column=columns[0],
                    help=f"{self.fix}: Index(None, {quoted})",
                )


def _leading_columns(table: Any) -> list[list[str]]:
    """The column lists of every index, unique constraint and the primary key of ``table``
    (an index stops at its first expression that is not a plain column)."""
    from sqlalchemy import Column, UniqueConstraint

    found: list[list[str]] = []
    if table.primary_key is not None and len(table.primary_key.columns):
        found.append([c.name for c in table.primary_key.columns])
    for index in table.indexes:
        names = []
        for expression in index.expressions:
            if not isinstance(expression, Column):
                break
            names.append(expression.name)
        found.append(names)
    found.extend(
        [c.name for c in constraint.columns]
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    )
    return found
