"""A file in the versions directory that is not a usable migration.

**What it does**

Reports a `*.py` file in a versions directory that is not UTF-8, is not valid Python, or
has no literal `revision` / `down_revision` assignment at module level.

**Why is this bad?**

Alembic imports every file in the versions directory: a syntax error there breaks every
command, including the deploy. A helper module dropped into the directory is loaded as a
migration and fails the same way.

**Example**

```python
revision = "a1"
down_revision = None

def upgrade(:
    op.create_table("user")
```

**Use instead**

```python
revision = "a1"
down_revision = None


def upgrade():
    op.create_table("user", sa.Column("id", sa.Integer, primary_key=True))
```

**Alembic notes**

dbctl never imports migrations, so a file that imports a package not installed in CI is
linted normally; only files that cannot be parsed are reported. Move helpers out of the
versions directory.

**Options**

None.

**References**

- Alembic, "The Migration Environment": https://alembic.sqlalchemy.org/en/latest/tutorial.html#the-migration-environment
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register

if TYPE_CHECKING:
    from dbctl.lint.graph import LintGraph


@register
class UnparseableMigration(Rule):
    code = "DB505"
    name = "unparseable-migration"
    severity = "error"
    fix = "fix the syntax, or move the file out of the versions directory"

    def check_graph(self, graph: LintGraph) -> Iterator[tuple[str, Hit]]:
        for info in graph.infos:
            if info.error:
                yield info.file, Hit(info.error_line, info.error_column, info.error)
