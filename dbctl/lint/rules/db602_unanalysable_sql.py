"""SQL that could not be analysed: built at run time, or rejected by the parser.

**What it does**

Reports (as `info`) an `op.execute(...)` / `sa.text(...)` argument that is an f-string, a
concatenation with non-literals, `%`-formatting, `.format()`, or a variable that is not a
module-level string constant; and literal SQL that PostgreSQL's parser rejects (for
example another dialect's syntax).

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
and are not reported.

**Options**

Severity is `info`; ignore DB602 to silence it.

**References**

- pglast: https://pglast.readthedocs.io/
"""

from __future__ import annotations

from dbctl.lint.registry import Rule, register


@register
class UnanalysableSql(Rule):
    code = "DB602"
    name = "unanalysable-sql"
    severity = "info"
    sql = True
    functions = ("upgrade", "downgrade")
    fix = "review this SQL by hand, or write it as a literal so that it can be analysed"
