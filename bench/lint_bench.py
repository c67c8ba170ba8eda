"""Benchmark `dbctl check` against Python's own parser on the same migration files.

Generates N realistic migration files (create_table, add_column, indexes, batch blocks,
op.execute with SQL) with a valid linear revision chain in a temporary project, then, in the
same run and for several rounds:

* times `dbctl check` end to end as a subprocess (process start included);
* times reading and `ast.parse`-ing the same files in-process (the floor for any AST linter).

Prints the medians, their ratio and the files per second of `dbctl check`.

    python bench/lint_bench.py [-n 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

HEADER = '''"""{message}

Revision ID: {rev}
Revises: {down}
Create Date: 2024-05-01 12:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "{rev}"
down_revision: str | None = {down_repr}
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

'''

BODIES = [
    # a new table with its indexes and a foreign key
    """
def upgrade() -> None:
    op.create_table(
        "{t}",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("user_id", sa.BigInteger(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_{t}")),
    )
    op.create_index(op.f("ix_{t}_user_id"), "{t}", ["user_id"], unique=False)
    op.create_index(op.f("ix_{t}_created_at"), "{t}", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_{t}_created_at"), table_name="{t}")
    op.drop_index(op.f("ix_{t}_user_id"), table_name="{t}")
    op.drop_table("{t}")
""",
    # nullable columns added to an existing table
    """
def upgrade() -> None:
    op.add_column("user", sa.Column("{t}_nickname", sa.String(length=50), nullable=True))
    op.add_column("user", sa.Column("{t}_score", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    op.drop_column("user", "{t}_score")
    op.drop_column("user", "{t}_nickname")
""",
    # an index built concurrently on an existing table
    """
def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_order_{t}", "order", ["{t}_id", "created_at"], unique=False, postgresql_concurrently=True
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index("ix_order_{t}", table_name="order", postgresql_concurrently=True)
""",
    # a batch block (SQLite-friendly alter)
    """
def upgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(sa.Column("{t}_slug", sa.String(length=120), nullable=True))
        batch_op.alter_column("title", existing_type=sa.String(length=200), comment="{t}")
        batch_op.create_foreign_key(
            "fk_post_{t}", "category", ["{t}_category_id"], ["id"], postgresql_not_valid=True
        )


def downgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_constraint("fk_post_{t}", type_="foreignkey")
        batch_op.alter_column("title", existing_type=sa.String(length=200), comment=None)
        batch_op.drop_column("{t}_slug")
""",
    # data migration and raw SQL
    '''
def upgrade() -> None:
    op.execute(
        """
        UPDATE "user"
           SET status = 'active'
         WHERE status IS NULL AND created_at < now() - interval '30 days'
        """
    )
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_user_status_{t} ON \\"user\\" (status)")


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_user_status_{t}")
''',
]


def make_project(root: Path, n: int) -> Path:
    """Write a dbctl.toml and ``n`` chained migrations under ``root``; return the versions dir."""
    (root / "dbctl.toml").write_text(
        'script_location = "migrations"\n\n[targets.dev]\nurl = "postgresql://app@localhost/app"\n',
        encoding="utf-8",
    )
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    down = None
    for i in range(n):
        rev = f"{i:04x}{(i * 2654435761) % 16**8:08x}"
        body = BODIES[i % len(BODIES)].format(t=f"t{i}")
        header = HEADER.format(message=f"change {i}", rev=rev, down=down or "", down_repr=repr(down))
        (versions / f"{rev}_change_{i}.py").write_text(header + body, encoding="utf-8")
        down = rev
    return versions


def time_parse(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        ast.parse(path.read_bytes().decode("utf-8"), filename=str(path))
    return time.perf_counter() - start


def time_check(project: Path) -> tuple[float, int]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "dbctl", "check"], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"dbctl check failed with exit code {proc.returncode}:\n{proc.stderr}")
    return elapsed, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--files", type=int, default=2000, help="number of migration files (default 2000)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dbctl-bench-") as tmp:
        project = Path(tmp)
        versions = make_project(project, args.files)
        files = sorted(versions.glob("*.py"))
        time_check(project)  # warm the OS cache and the bytecode cache
        time_parse(files)
        parse_times, check_times = [], []
        code = 0
        for _ in range(args.rounds):
            parse_times.append(time_parse(files))
            elapsed, code = time_check(project)
            check_times.append(elapsed)
        parse_median = statistics.median(parse_times)
        check_median = statistics.median(check_times)
        print(f"files:                     {len(files)}")
        print(f"rounds:                    {args.rounds}")
        print(f"ast.parse only (median):   {parse_median:.3f} s")
        print(f"dbctl check (median):      {check_median:.3f} s  (exit code {code})")
        print(f"ratio check / parse:       {check_median / parse_median:.2f}x")
        print(f"dbctl check throughput:    {len(files) / check_median:.0f} files/s")


if __name__ == "__main__":
    main()
