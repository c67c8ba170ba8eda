"""The models' `MetaData` has no naming convention for constraints.

**What it does**

With `dbctl check --models`, imports the configured `metadata` and reports it when its
`naming_convention` does not name unique (`uq`), check (`ck`), foreign-key (`fk`) and
primary-key (`pk`) constraints. SQLAlchemy's default convention names only indexes.

**Why is this bad?**

A constraint without a name gets one chosen by the database (`users_email_key`,
`posts_author_id_fkey`), or none at all on SQLite. Alembic renders `name=None` for it, so a
later migration cannot drop or alter it by name: `op.drop_constraint(None, ...)` fails, and
SQLite's batch mode (which recreates the table) cannot find unnamed constraints to drop. The
names also differ from one database to another, so the same migration cannot run everywhere.

**Example**

```python
class Base(DeclarativeBase):
    pass  # MetaData() with the default convention: only indexes are named
```

**Use instead**

```python
class Base(DeclarativeBase):
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })
```

**Alembic notes**

Set the convention before the first migration: Alembic's autogenerate then writes the names
into every migration (`op.f("uq_users_email")`). Adding it later renames nothing that exists;
rename existing constraints in a migration of their own, or suppress this rule.

**Options**

Opt-in: runs only with `dbctl check --models`. `[lint] ignore = ["DB701"]` turns it off.

**References**

- SQLAlchemy, "Configuring Constraint Naming Conventions":
  https://docs.sqlalchemy.org/en/20/core/constraints.html#constraint-naming-conventions
- Alembic, "The Importance of Naming Constraints":
  https://alembic.sqlalchemy.org/en/latest/naming.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dbctl.lint.registry import ModelHit, Rule, register

REQUIRED = ("uq", "ck", "fk", "pk")
# naming_convention keys may also be the constraint classes themselves
CLASS_KEYS = {
    "UniqueConstraint": "uq",
    "CheckConstraint": "ck",
    "ForeignKeyConstraint": "fk",
    "PrimaryKeyConstraint": "pk",
    "Index": "ix",
}


@register
class MissingNamingConvention(Rule):
    code = "DB701"
    name = "missing-naming-convention"
    severity = "warning"
    check = "models"
    enabled_by = "models"
    opt_in = True
    fix = 'give the MetaData a naming_convention with "uq", "ck", "fk" and "pk" entries'

    def check_metadata(self, metadata: Any) -> Iterator[ModelHit]:
        convention = getattr(metadata, "naming_convention", None) or {}
        keys = {key if isinstance(key, str) else CLASS_KEYS.get(getattr(key, "__name__", ""), "") for key in convention}
        missing = [key for key in REQUIRED if key not in keys]
        if len(missing) == len(REQUIRED):
            yield ModelHit(
                "the MetaData has no naming_convention for constraints: the database picks their names, "
                "and migrations cannot drop or alter them by name"
            )
        elif missing:
            yield ModelHit(
                f"the MetaData's naming_convention has no {', '.join(repr(k) for k in missing)} entry: "
                "those constraints get names chosen by the database"
            )
