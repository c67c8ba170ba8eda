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

from dbctl.lint.registry import Rule, register


@register
class RoundtripFailure(Rule):
    code = "DB802"
    name = "roundtrip-failure"
    severity = "error"
    check = "database"
    opt_in = True
    fix = "make downgrade() undo exactly what upgrade() does"
