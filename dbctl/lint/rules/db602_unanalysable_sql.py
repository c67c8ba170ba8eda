"""SQL that could not be analysed: built at run time, or rejected by the parser.

**What it does**

Reports (as `info`) an `op.execute(...)` / `sa.text(...)` argument that is an f-string, a
concatenation with non-literals, `%`-formatting, `.format()`, or a variable that is not a
module-level string constant; and literal SQL that PostgreSQL's parser rejects (for
example another dialect's syntax). Not reported: SQLite `PRAGMA` statements (skipped before
parsing: SQLite's own, with nothing in them for the PostgreSQL rules to find; the other
statements of the same string are still analysed), and `:name` bind parameters, which are
parsed as placeholders (`$1`), as SQLAlchemy's `text()` turns them into parameters.

**Why is this bad?**

It is not necessarily bad: it says that DB601 did not look at this SQL, rather than guess.
Review it by hand for the hazards DB601 checks.

**Example**

```python
def upgrade():
    table = "user"
    op.execute(f"CREATE INDEX ix_email ON {table} (email)")
```

**Use instead**

```python
def upgrade():
    op.execute('CREATE INDEX ix_email ON "user" (email)')  # literal: analysed by DB601
```

**Alembic notes**

SQLAlchemy constructs such as `op.execute(my_table.update().values(...))` are not SQL strings
and are not reported. Alembic runs a string given to `op.execute` through `text()`, so binds
and backslash-escaped colons are read the same way there as in `sa.text(...)`; line numbers of
the statements after a `PRAGMA` or a bind stay those of the source.

**Options**

Severity is `info`; ignore DB602 to silence it.

**References**

- pglast: https://pglast.readthedocs.io/
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register

if TYPE_CHECKING:
    from dbctl.lint.sql import SqlSite


@register
class UnanalysableSql(Rule):
    code = "DB602"
    name = "unanalysable-sql"
    severity = "info"
    functions = ("upgrade", "downgrade")
    fix = "review this SQL by hand, or write it as a literal so that it can be analysed"

    def check_sql_site(self, site: SqlSite) -> Iterator[Hit]:
        if site.built_at_run_time:
            yield site.hit(f"SQL built at run time ({site.built_at_run_time}) was not analysed")
        elif site.parse_error:
            yield site.hit(f"the SQL parser rejected this SQL ({site.parse_error}); not analysed")
