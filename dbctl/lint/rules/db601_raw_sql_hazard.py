"""A hazard in literal SQL passed to `op.execute(...)` or `sa.text(...)`.

**What it does**

Parses literal SQL in `op.execute(...)`, `batch_op.execute(...)` and
`<connection>.execute(sa.text(...))` with PostgreSQL's own parser (pglast / libpg_query) and
applies to each statement the checks of the rules that look at SQL statements, for example
`CREATE INDEX` without `CONCURRENTLY` (DB203), `CONCURRENTLY` outside `autocommit_block()`
(DB204), `DROP INDEX` without `CONCURRENTLY` (DB205), `ADD CONSTRAINT ... FOREIGN KEY` /
`CHECK` without `NOT VALID` (DB301/DB302), `ADD CONSTRAINT ... UNIQUE` / `PRIMARY KEY` without
`USING INDEX` (DB303), `SET NOT NULL` (DB304), a volatile `DEFAULT` in `ADD COLUMN` (DB305),
`ALTER COLUMN ... TYPE` (DB306), `ADD COLUMN ... NOT NULL` without `DEFAULT` (DB401),
`DROP COLUMN` (DB402), `DROP TABLE` (DB403), `RENAME COLUMN` (DB404) and `RENAME TO` (DB405).
Findings carry the inner rule's code, name and severity.

**Why is this bad?**

Raw SQL is where the dangerous statements hide: the same lock that a reviewer would catch in
`op.create_index` is easy to miss in a string.

**Example**

```python
def upgrade():
    op.execute("CREATE INDEX ix_user_email ON \"user\" (email)")
```

**Use instead**

```python
def upgrade():
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY ix_user_email ON \"user\" (email)")
```

**Alembic notes**

A statement is checked only when both DB601 and the inner rule are enabled (and the inner
rule's dialect applies). Module-level string constants and literals joined with `+` are
resolved; anything built at run time is DB602. Tables created earlier in the same migration
(by `op.create_table` or `CREATE TABLE`) are exempt from the lock rules.

**Options**

Ignore DB601 to switch SQL analysis off entirely.

**References**

- pglast: https://pglast.readthedocs.io/
- squawk, a linter for PostgreSQL migrations: https://squawkhq.com/
"""

from __future__ import annotations

from dbctl.lint.registry import Rule, register


@register
class RawSqlHazard(Rule):
    code = "DB601"
    name = "raw-sql-hazard"
    severity = "error"
    severity_note = "reported with the matching rule's code and severity"
    parses_sql = True
    functions = ("upgrade", "downgrade")
    fix = "see the rule named in the finding (`dbctl rule CODE`)"
