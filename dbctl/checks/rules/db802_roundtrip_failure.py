"""A revision does not survive upgrade, downgrade and upgrade again.

**What it does**

`dbctl check --roundtrip` runs on an empty scratch database (a temporary SQLite file, or the
target given with `-t`, which must not be protected). For each revision from base to head it
upgrades one step, downgrades one step and upgrades again, through the project's own
`env.py`. After the downgrade the schema (tables, columns, primary keys, indexes, unique,
foreign-key and check constraints, read back by reflection) must equal the schema before the
upgrade, and after the second upgrade it must equal the schema after the first. The first
revision that fails is reported, at its `downgrade()` (or at its `upgrade()` when that
fails), with the step and the difference or the database's error.

**Why is this bad?**

A `downgrade()` is the rollback plan of a deploy, and it has usually never run. One that
forgets an index leaves the schema different from what the previous release expects; one
that fails halfway leaves a database that neither release can migrate. The round trip finds
both before a deploy needs them.

**Example**

```python
def upgrade():
    op.create_index("ix_posts_author_id", "posts", ["author_id"])
    op.add_column("posts", sa.Column("slug", sa.String(200)))


def downgrade():
    op.drop_column("posts", "slug")  # the index is left behind
```

**Use instead**

```python
def downgrade():
    op.drop_column("posts", "slug")
    op.drop_index("ix_posts_author_id", table_name="posts")
```

**Alembic notes**

Each step runs as `dbctl upgrade REV` / `dbctl downgrade REV@-1` would, one transaction per
revision. Data migrations are run on an empty database, so they are exercised only for
errors, not for what they do to rows. Run the round trip on PostgreSQL (`-t`) when the
migrations use PostgreSQL-only features.

**Options**

Opt-in: runs with `--roundtrip`. Revisions up to and including `[lint] start_after` are
applied without being checked.

**References**

- pytest-alembic, "test_up_down_consistency":
  https://pytest-alembic.readthedocs.io/en/latest/tests.html
- Alembic, "Relative Migration Identifiers": https://alembic.sqlalchemy.org/en/latest/tutorial.html
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from dbctl.lint.registry import Rule, register

if TYPE_CHECKING:
    from dbctl.alembic_bridge.roundtrip import RoundtripFailure as Failure
    from dbctl.alembic_bridge.roundtrip import RoundtripResult
    from dbctl.checks.context import CheckContext
    from dbctl.lint.findings import Finding

MAX_DIFFERENCES = 8  # shown in one message


@register
class RoundtripFailure(Rule):
    code = "DB802"
    name = "roundtrip-failure"
    severity = "error"
    check = "database"
    enabled_by = "roundtrip"
    opt_in = True
    fix = "make downgrade() undo exactly what upgrade() does"

    def check_database(self, context: CheckContext) -> Iterator[Finding]:
        result = _roundtrip(context)
        if result.skipped:
            context.progress(f"roundtrip: {len(result.skipped)} revision(s) up to start_after applied without checking")
        if result.failure is not None:
            yield self._finding(context, result.failure)

    def _finding(self, context: CheckContext, failure: Failure) -> Finding:
        path = str(Path(failure.path).resolve()) if failure.path else str(context.project.path)
        function = "upgrade" if failure.step == "upgrade" else "downgrade"
        line = context.find_line(path, rf"^[ \t]*(async[ \t]+)?def[ \t]+{function}\b") if failure.path else 1
        if failure.error is not None:
            message = (
                f"revision {failure.revision} does not round-trip: the {failure.step} step failed: {failure.error}"
            )
        else:
            shown = list(failure.differences[:MAX_DIFFERENCES])
            if len(failure.differences) > MAX_DIFFERENCES:
                shown.append(f"and {len(failure.differences) - MAX_DIFFERENCES} more")
            downgrade = failure.step == "downgrade"
            expected = "what it was before the upgrade" if downgrade else "what the first upgrade made"
            after = "after the downgrade" if downgrade else "after upgrading again"
            message = (
                f"revision {failure.revision} does not round-trip: {after} the schema is not {expected}: "
                f"{'; '.join(shown)}"
            )
        return context.finding(self, path, line, message)


def _roundtrip(context: CheckContext) -> RoundtripResult:
    """Upgrade, downgrade and upgrade each revision on a temporary SQLite file, or on the -t
    scratch target (left at base when the round trip passes)."""
    from dbctl.alembic_bridge import roundtrip, scratch
    from dbctl.alembic_bridge.executor import Executor

    project, progress = context.project, context.progress

    def on_revision(revision: str) -> None:
        progress(f"roundtrip: {revision}: upgrade, downgrade, upgrade")

    if context.options.target is None:
        with scratch.temporary_sqlite(project, "dbctl's temporary database for check --roundtrip") as database:
            progress("roundtrip: on a temporary SQLite database")
            return roundtrip.roundtrip(Executor(project, database), project.lint.start_after, on_revision)
    from dbctl.targets import resolve_target

    target = resolve_target(project, context.options.target)
    scratch.require_empty(target)
    executor = Executor(project, target)
    progress(f"roundtrip: on scratch target '{target.name}'")
    result = roundtrip.roundtrip(executor, project.lint.start_after, on_revision)
    if result.failure is None:
        executor.migrate("downgrade", "base")  # leave the scratch database as it was found
    else:
        progress(
            f"roundtrip: scratch target '{target.name}' is left as the failure left it, for a look; "
            f"empty it before the next round trip"
        )
    return result
