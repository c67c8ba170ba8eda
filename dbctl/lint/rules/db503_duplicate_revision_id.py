"""Two migration files declare the same `revision`.

**What it does**

Reports every file after the first (in path order) whose `revision = ...` repeats an id that
another file already declares.

**Why is this bad?**

Alembic keeps only one of the two, so the other silently never runs (or the graph breaks,
depending on the order files are read). It usually comes from copying a migration file.

**Example**

```python
# versions/a1_create_user.py
revision = "a1"

# versions/a1_create_user_copy.py
revision = "a1"
```

**Use instead**

Give each revision its own id; `dbctl revision` generates unique ones.

**Alembic notes**

Alembic only warns about duplicates in some versions; dbctl treats it as an error.

**Options**

None.

**References**

- Alembic, `ScriptDirectory`: https://alembic.sqlalchemy.org/en/latest/api/script.html
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register

if TYPE_CHECKING:
    from dbctl.lint.graph import LintGraph


@register
class DuplicateRevisionId(Rule):
    code = "DB503"
    name = "duplicate-revision-id"
    severity = "error"
    fix = "give the copy a new revision id"

    def check_graph(self, graph: LintGraph) -> Iterator[tuple[str, Hit]]:
        for first, info in graph.duplicates:
            message = f"revision '{info.revision}' is also declared in {Path(first.file).name}"
            yield info.file, Hit(info.revision_line, 1, message)
