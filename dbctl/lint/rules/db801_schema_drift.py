"""The models and the schema the migrations build differ.

**What it does**

`dbctl check --drift` upgrades a scratch database (a temporary SQLite file) to head through
the project's own `env.py`, then compares the configured `metadata` with the schema there,
using Alembic's autogenerate comparison on that database's dialect. Each difference is one
finding: which table, column, index or constraint, what the models say and what the
migrations produce. dbctl's ledger and Alembic's version table are left out.

`dbctl check --drift -t T` compares the models with the real database `T` instead, without
writing to it: it reports schema changed by hand ("someone added an index in production").
`T` must be at head; if it is not, that is reported (as this code) and nothing is compared.

**Why is this bad?**

A model changed without a migration: the application expects a column that no deployed
database has, and the next `dbctl revision` picks the change up in somebody else's
migration. A migration changed without the model: the code and the schema disagree, and the
next autogenerate proposes to undo it. A database changed by hand is the same problem,
discovered at the next deploy.

**Example**

```python
# app/models.py: a column added to the model...
class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    nickname: Mapped[str | None] = mapped_column(String(50))  # ...with no migration
```

**Use instead**

```sh
dbctl revision -m "add users.nickname"   # autogenerate writes the missing migration
```

**Alembic notes**

Alembic compares tables, columns (type and nullability), indexes, unique constraints and
foreign keys; it does not compare CHECK constraints, and server defaults are not compared.
Some types read back differently than declared (an `Enum` on SQLite, a `JSON` variant):
silence a known false positive per object with `[lint] drift_ignore`, and compare against a
PostgreSQL database with `-t` when the migrations are PostgreSQL-only.

**Options**

Opt-in: runs with `--drift`. `[lint] drift_ignore = ["table.audit_log",
"table.users.column.legacy", "index.ix_users_lower_email", "constraint.uq_old"]` silences
differences of a whole table (and everything on it), one column, or one index or constraint
by name; `*` matches any run of characters (`"table.tmp_*"`).

**References**

- Alembic, "What does Autogenerate Detect (and what does it not detect?)":
  https://alembic.sqlalchemy.org/en/latest/autogenerate.html#what-does-autogenerate-detect-and-what-does-it-not-detect
- Alembic API, `compare_metadata`: https://alembic.sqlalchemy.org/en/latest/api/autogenerate.html
"""

from __future__ import annotations

from dbctl.lint.registry import Rule, register


@register
class SchemaDrift(Rule):
    code = "DB801"
    name = "schema-drift"
    severity = "error"
    check = "database"
    opt_in = True
    fix = "write the missing migration (`dbctl revision -m ...`) or fix the model"
