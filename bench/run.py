"""Benchmark dbctl against plain Alembic: same Python, same migrations, same database, same run.

Every case runs both tools as subprocesses (process start included), alternating which goes
first in each round, and reports the medians and the dbctl/Alembic ratio against its target:

* start-up: ``dbctl --help`` vs ``alembic --help`` (target ratio <= 0.5);
* ``history`` and ``heads`` on 2,000 generated revisions (target <= 0.7);
* ``upgrade head`` of 500 generated revisions on a SQLite file and on PostgreSQL, a fresh
  database for every run (target <= 1.05);
* ``dbctl check`` on 2,000 files next to ``alembic upgrade head --sql | squawk`` when squawk
  (``pip install squawk-cli``) is installed; reported, no target;
* fan-out: ``dbctl upgrade --all-targets --parallel 4`` vs ``--parallel 1`` on 16 SQLite targets
  with 50 revisions each (reported, no target; plain Alembic one target after another is shown
  for reference).

Plain Alembic runs the environment ``alembic init -t generic`` writes (env.py reading
``sqlalchemy.url`` from alembic.ini); dbctl runs the one ``dbctl init`` writes. Both point at
the same versions directory and the same database URL with a sync driver (``sqlite:///``,
``postgresql+psycopg://``). PostgreSQL is a throwaway cluster started with ``tests/pgcluster.py``
(``initdb``/``pg_ctl`` must be on PATH; otherwise those cases are skipped).

The results are printed as a table and written to ``bench/RESULTS.md`` (between the
``bench:begin``/``bench:end`` markers; the notes around them are kept).

    python bench/run.py                # the full run (about 5-10 minutes on 2 cores)
    python bench/run.py --quick        # a smoke run: fewer rounds and revisions
    python bench/run.py --only startup,history --no-pg --output /tmp/results.md
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from lint_bench import HEADER, make_project  # noqa: E402  (the lint benchmark's generator)

DBCTL = [sys.executable, "-m", "dbctl"]
ALEMBIC = [sys.executable, "-m", "alembic"]
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
CASES = ("startup", "history", "heads", "upgrade-sqlite", "upgrade-pg", "check", "fanout")


class BenchError(RuntimeError):
    """A command of a case failed: the case is reported as an error, the others still run."""


@dataclass(frozen=True)
class Sizes:
    rounds: int
    startup_rounds: int
    long_rounds: int
    history_revisions: int
    upgrade_revisions: int
    check_files: int
    fanout_targets: int
    fanout_revisions: int
    fanout_alembic: bool


FULL = Sizes(
    rounds=7,
    startup_rounds=15,
    long_rounds=5,
    history_revisions=2000,
    upgrade_revisions=500,
    check_files=2000,
    fanout_targets=16,
    fanout_revisions=50,
    fanout_alembic=True,
)
QUICK = Sizes(
    rounds=3,
    startup_rounds=5,
    long_rounds=2,
    history_revisions=200,
    upgrade_revisions=40,
    check_files=200,
    fanout_targets=4,
    fanout_revisions=10,
    fanout_alembic=False,
)


@dataclass
class Case:
    """One comparison: ``runs[label]`` holds the timings; ``ratio`` is numerator / denominator."""

    key: str
    title: str
    numerator: str
    denominator: str
    target: float | None
    runs: dict[str, list[float]] = field(default_factory=dict)
    note: str = ""
    error: str | None = None

    def median(self, label: str) -> float | None:
        times = self.runs.get(label)
        return statistics.median(times) if times else None

    @property
    def ratio(self) -> float | None:
        a, b = self.median(self.numerator), self.median(self.denominator)
        return a / b if a is not None and b else None

    @property
    def rounds(self) -> int:
        return min((len(t) for t in self.runs.values()), default=0)

    @property
    def verdict(self) -> str:
        if self.error is not None:
            return "ERROR"
        if self.target is None or self.ratio is None:
            return "report"
        return "PASS" if self.ratio <= self.target else "MISS"


# -- running commands ----------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBCTL_", "PG"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env["NO_COLOR"] = "1"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


ENV = _env()


def run(argv: Sequence[str], cwd: Path, ok: tuple[int, ...] = (0,), timeout: float = 900) -> float:
    """Run ``argv`` to completion (output captured, as in a pipeline); return the wall time."""
    start = time.perf_counter()
    proc = subprocess.run(list(argv), cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-8:])
        raise BenchError(f"`{_show(argv)}` exited {proc.returncode}:\n{tail}")
    return elapsed


def run_pipe(first: Sequence[str], second: Sequence[str], cwd: Path, ok: tuple[int, ...]) -> float:
    """``first | second``; return the wall time of the whole pipeline."""
    with tempfile.TemporaryFile() as errors:  # a pipe for its stderr could fill up and stall it
        start = time.perf_counter()
        producer = subprocess.Popen(list(first), cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=errors)
        assert producer.stdout is not None
        consumer = subprocess.run(
            list(second), cwd=cwd, env=ENV, stdin=producer.stdout, capture_output=True, check=False, timeout=900
        )
        producer.stdout.close()
        producer.wait(timeout=900)
        elapsed = time.perf_counter() - start
        errors.seek(0)
        error_text = errors.read().decode(errors="replace")
    if producer.returncode != 0:
        raise BenchError(f"`{_show(first)}` exited {producer.returncode}:\n{error_text[-800:]}")
    if consumer.returncode not in ok:
        raise BenchError(f"`{_show(second)}` exited {consumer.returncode}:\n{consumer.stderr.decode()[-800:]}")
    return elapsed


def _show(argv: Sequence[str]) -> str:
    words = list(argv)
    if words[:2] == [sys.executable, "-m"]:
        words = words[2:]
    return " ".join(Path(w).name if os.sep in w else w for w in words)


def alternate(
    case: Case, runners: dict[str, Callable[[], float]], rounds: int, reset: Callable[[], None] | None = None
) -> None:
    """One untimed warm-up run of each (bytecode and OS caches), then ``rounds`` rounds; the
    order of the tools turns around every round. ``reset`` runs (untimed) before every run."""
    labels = list(runners)
    for label in labels:
        if reset:
            reset()
        runners[label]()
    for r in range(rounds):
        for label in labels if r % 2 == 0 else reversed(labels):
            if reset:
                reset()
            case.runs.setdefault(label, []).append(runners[label]())
        print(f"  round {r + 1}/{rounds}: " + ", ".join(f"{k} {v[-1]:.3f}s" for k, v in case.runs.items()), flush=True)


# -- generated projects --------------------------------------------------------------------------


def rev_id(i: int) -> str:
    """The revision ids of the lint benchmark's generator."""
    return f"{i:04x}{(i * 2654435761) % 16**8:08x}"


# Revisions that run on SQLite and PostgreSQL alike; every five work on one table of their own.
RUNNABLE = [
    """
def upgrade() -> None:
    op.create_table(
        "{t}",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.current_timestamp(), nullable=False),
    )
    op.create_index("ix_{t}_name", "{t}", ["name"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_{t}_name", table_name="{t}")
    op.drop_table("{t}")
""",
    """
def upgrade() -> None:
    op.add_column("{t}", sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("{t}", "note")
""",
    """
def upgrade() -> None:
    op.create_table(
        "{t}_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("{t}_id", sa.Integer(), sa.ForeignKey("{t}.id"), nullable=False),
        sa.Column("qty", sa.Integer(), server_default="0", nullable=False),
    )
    op.create_index("ix_{t}_item_{t}_id", "{t}_item", ["{t}_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_{t}_item_{t}_id", table_name="{t}_item")
    op.drop_table("{t}_item")
""",
    """
def upgrade() -> None:
    rows = sa.table("{t}", sa.column("id", sa.Integer()), sa.column("name", sa.String()))
    op.bulk_insert(rows, [{{"id": n, "name": f"row {{n}}"}} for n in range(1, 11)])


def downgrade() -> None:
    op.execute("DELETE FROM {t}")
""",
    """
def upgrade() -> None:
    op.execute("UPDATE {t} SET note = 'checked' WHERE id < 5")
    op.create_index("ix_{t}_note", "{t}", ["note"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_{t}_note", table_name="{t}")
""",
]


def write_runnable(versions: Path, n: int) -> None:
    """``n`` chained revisions (the lint generator's header and ids) that really run."""
    versions.mkdir(parents=True, exist_ok=True)
    down = None
    for i in range(n):
        rev = rev_id(i)
        body = RUNNABLE[i % len(RUNNABLE)].format(t=f"tb{i // len(RUNNABLE)}")
        header = HEADER.format(message=f"change {i}", rev=rev, down=down or "", down_repr=repr(down))
        (versions / f"{rev}_change_{i}.py").write_text(header + body, encoding="utf-8")
        down = rev


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ini(value: str) -> str:
    return value.replace("%", "%%")


def make_envs(root: Path, targets: dict[str, str], default: str, per_revision: bool = False) -> None:
    """Both environments over ``root/migrations/versions``: ``env_dbctl/`` written by ``dbctl init``
    with ``dbctl.toml``, and ``env_alembic/`` written by ``alembic init -t generic`` with
    ``alembic.ini`` (its main section for ``default``, one more section per other target).

    With ``per_revision``, also ``env_alembic_tpm/``: the same generic env.py with
    ``transaction_per_migration=True`` added to its online ``context.configure()``, in the ini
    section ``[tpm]`` (a reference: dbctl's env runs each revision in its own transaction)."""
    (root / "dbctl.toml").unlink(missing_ok=True)  # the lint generator writes one; init wants none
    run([*DBCTL, "init", "--sync", "--dir", "env_dbctl"], root)
    lines = [
        'script_location = "env_dbctl"',
        'version_locations = ["migrations/versions"]',
        f"default_target = {_toml_str(default)}",
        "",
    ]
    for name, url in targets.items():
        lines += [f"[targets.{name}]", f"url = {_toml_str(url)}", ""]
    (root / "dbctl.toml").write_text("\n".join(lines), encoding="utf-8")

    run([*ALEMBIC, "init", "-t", "generic", "env_alembic"], root)
    ini = root / "alembic.ini"
    text = ini.read_text(encoding="utf-8")
    text = re.sub(
        r"(?m)^script_location = .*$",
        "script_location = %(here)s/env_alembic\nversion_locations = %(here)s/migrations/versions",
        text,
        count=1,
    )
    text = re.sub(r"(?m)^sqlalchemy\.url = .*$", lambda _: f"sqlalchemy.url = {_ini(targets[default])}", text, count=1)
    sections = {name: ("env_alembic", url) for name, url in targets.items() if name != default}
    if per_revision:
        shutil.copytree(root / "env_alembic", root / "env_alembic_tpm")
        env = root / "env_alembic_tpm" / "env.py"
        patched, count = re.subn(
            r"connection=connection, target_metadata=target_metadata",
            "connection=connection, target_metadata=target_metadata, transaction_per_migration=True",
            env.read_text(encoding="utf-8"),
        )
        if count != 1:
            raise BenchError("could not add transaction_per_migration=True to the generic env.py")
        env.write_text(patched, encoding="utf-8")
        sections["tpm"] = ("env_alembic_tpm", targets[default])
    for name, (env_dir, url) in sections.items():
        text += (
            f"\n[{name}]\nscript_location = %(here)s/{env_dir}\n"
            f"version_locations = %(here)s/migrations/versions\npath_separator = os\n"
            f"sqlalchemy.url = {_ini(url)}\n"
        )
    ini.write_text(text, encoding="utf-8")


# -- PostgreSQL ------------------------------------------------------------------------------------


class Postgres:
    """A throwaway cluster (tests/pgcluster.py) and one database that is dropped and recreated."""

    def __init__(self) -> None:
        sys.path.insert(0, str(REPO / "tests"))
        from pgcluster import PgCluster

        self.cluster = PgCluster(user="bench")
        self.cluster.start()
        self.dbname = "bench"
        with self.cluster.connect() as conn:
            self.version = "PostgreSQL " + str(conn.execute("SHOW server_version").fetchone()[0]).split()[0]

    def url(self) -> str:
        return self.cluster.url(self.dbname, "psycopg")

    def reset(self) -> None:
        self.cluster.drop_database(self.dbname)
        self.cluster.create_database(self.dbname)
        with self.cluster.connect() as conn:
            conn.execute("CHECKPOINT")  # settle the server outside the timed run

    def stop(self) -> None:
        self.cluster.stop()


# -- the cases -------------------------------------------------------------------------------------


def case_startup(work: Path, sizes: Sizes) -> Case:
    case = Case("startup", "start-up: `dbctl --help` vs `alembic --help`", "dbctl", "alembic", 0.5)
    cwd = work / "startup"
    cwd.mkdir()
    alternate(
        case,
        {"dbctl": lambda: run([*DBCTL, "--help"], cwd), "alembic": lambda: run([*ALEMBIC, "--help"], cwd)},
        sizes.startup_rounds,
    )
    return case


def _history_project(work: Path, sizes: Sizes) -> Path:
    root = work / "history"
    if not root.exists():
        root.mkdir()
        make_project(root, sizes.history_revisions)  # the lint benchmark's files (never executed here)
        make_envs(root, {"bench": f"sqlite:///{root / 'unused.db'}"}, "bench")
    return root


def case_history(work: Path, sizes: Sizes, command: str) -> Case:
    root = _history_project(work, sizes)
    case = Case(command, f"`{command}` on {sizes.history_revisions:,} revisions", "dbctl", "alembic", 0.7)
    alternate(
        case,
        {"dbctl": lambda: run([*DBCTL, command], root), "alembic": lambda: run([*ALEMBIC, command], root)},
        sizes.rounds,
    )
    return case


def case_upgrade(work: Path, sizes: Sizes, dialect: str, pg: Postgres | None) -> Case:
    n = sizes.upgrade_revisions
    root = work / f"upgrade-{dialect}"
    root.mkdir()
    write_runnable(root / "migrations" / "versions", n)
    if pg is None:
        database = root / "bench.db"
        url = f"sqlite:///{database}"

        def reset() -> None:
            for path in (database, Path(f"{database}.dbctl-lock")):
                path.unlink(missing_ok=True)

        where = "a SQLite file"
    else:
        url = pg.url()
        reset = pg.reset
        where = "PostgreSQL"
    make_envs(root, {"bench": url}, "bench", per_revision=True)
    case = Case(
        f"upgrade-{dialect}",
        f"`upgrade head`, {n} revisions, {where}",
        "dbctl",
        "alembic",
        1.05,
        note="fresh database before every run; the third timing (not part of the ratio) is Alembic's "
        "generic env.py with transaction_per_migration=True, one transaction per revision as in dbctl",
    )
    alternate(
        case,
        {
            "dbctl": lambda: run([*DBCTL, "upgrade", "head"], root),
            "alembic": lambda: run([*ALEMBIC, "upgrade", "head"], root),
            "alembic, a transaction per revision": lambda: run([*ALEMBIC, "-n", "tpm", "upgrade", "head"], root),
        },
        sizes.long_rounds,
        reset,
    )
    return case


def find_squawk(explicit: str | None) -> str | None:
    if explicit:
        return explicit if Path(explicit).is_file() else shutil.which(explicit)
    return shutil.which("squawk")


def squawk_version(squawk: str) -> str:
    proc = subprocess.run([squawk, "--version"], capture_output=True, text=True, check=False)
    return proc.stdout.strip() or "squawk"


def case_check(work: Path, sizes: Sizes, squawk: str | None) -> Case:
    root = work / "check"
    root.mkdir()
    make_project(root, sizes.check_files)  # the linter issue's generated files
    make_envs(root, {"bench": "postgresql+psycopg://app@localhost/app"}, "bench")  # --sql never connects
    label = "alembic --sql | squawk" if squawk else "alembic --sql"
    case = Case(
        "check",
        f"`dbctl check` on {sizes.check_files:,} files vs `alembic upgrade head --sql{' | squawk' if squawk else ''}`",
        "dbctl",
        label,
        None,
    )
    if squawk:
        case.note = f"{squawk_version(squawk)}; reported, no target"
        other = lambda: run_pipe([*ALEMBIC, "upgrade", "head", "--sql"], [squawk], root, ok=(0, 1))  # noqa: E731
    else:
        case.note = "squawk not installed (`pip install squawk-cli`): the SQL rendering alone; reported, no target"
        other = lambda: run([*ALEMBIC, "upgrade", "head", "--sql"], root)  # noqa: E731
    alternate(case, {"dbctl": lambda: run([*DBCTL, "check"], root, ok=(0, 1)), label: other}, sizes.long_rounds)
    return case


def case_fanout(work: Path, sizes: Sizes) -> Case:
    n, revisions = sizes.fanout_targets, sizes.fanout_revisions
    root = work / "fanout"
    root.mkdir()
    write_runnable(root / "migrations" / "versions", revisions)
    names = [f"t{i:02d}" for i in range(1, n + 1)]
    make_envs(root, {name: f"sqlite:///{root / name}.db" for name in names}, names[0])

    def reset() -> None:
        for path in root.glob("t*.db*"):
            path.unlink()

    case = Case(
        "fanout",
        f"fan-out: {n} SQLite targets x {revisions} revisions, `upgrade --all-targets`",
        "--parallel 4",
        "--parallel 1",
        None,
        note=f"{os.cpu_count()} cores; workers are processes forked from a fork server (spawned where "
        "there is none); the third timing is plain Alembic run once per target, one after another",
    )
    runners = {
        "--parallel 4": lambda: run([*DBCTL, "upgrade", "--all-targets", "--parallel", "4"], root),
        "--parallel 1": lambda: run([*DBCTL, "upgrade", "--all-targets", "--parallel", "1"], root),
    }
    if sizes.fanout_alembic:

        def alembic_serial() -> float:
            return sum(
                run([*ALEMBIC, *([] if name == names[0] else ["-n", name]), "upgrade", "head"], root) for name in names
            )

        runners["alembic, one process per target"] = alembic_serial
    alternate(case, runners, sizes.long_rounds, reset)
    return case


# -- the report ------------------------------------------------------------------------------------


def _read(path: str) -> str:
    with contextlib.suppress(OSError):
        return Path(path).read_text(encoding="utf-8", errors="replace")
    return ""


def machine(pg_version: str | None, squawk: str | None) -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or platform.machine(),
    )
    mem = re.search(r"MemTotal:\s+(\d+) kB", _read("/proc/meminfo"))
    memory = f"{int(mem.group(1)) / 1024 / 1024:.1f} GiB" if mem else "unknown"

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores",
        f"- memory: {memory}",
        f"- OS: {platform.system()} {'.'.join(platform.release().split('.')[:2])}",
        f"- Python {platform.python_version()} ({platform.python_implementation()})",
        f"- SQLAlchemy {version('sqlalchemy')}, Alembic {version('alembic')}, typer {version('typer')}, "
        f"rich {version('rich')}, psycopg {version('psycopg')}",
        f"- SQLite {sqlite3.sqlite_version}; {pg_version or 'PostgreSQL: not run'}",
        f"- squawk: {squawk_version(squawk) if squawk else 'not installed'}",
    ]


def fmt_seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f} s"


def table(cases: list[Case]) -> list[str]:
    rows = [["case", "dbctl", "baseline", "ratio", "target", "result", "rounds"]]
    for c in cases:
        if c.error is not None:
            rows.append([c.title, "-", "-", "-", _target(c), "ERROR", "-"])
            continue
        base = f"{fmt_seconds(c.median(c.denominator))} ({c.denominator})"
        num = fmt_seconds(c.median(c.numerator)) + ("" if c.numerator == "dbctl" else f" ({c.numerator})")
        ratio = "-" if c.ratio is None else f"{c.ratio:.2f}"
        rows.append([c.title, num, base, ratio, _target(c), c.verdict, str(c.rounds)])
        for label in c.runs:
            if label not in (c.numerator, c.denominator):
                rows.append(["", "", f"{fmt_seconds(c.median(label))} ({label})", "", "", "", ""])
    return rows


def _target(case: Case) -> str:
    return "-" if case.target is None else f"<= {case.target:g}"


def render_text(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_markdown(rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join("---" for _ in rows[0]) + "|"]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in r) + " |" for r in rows[1:]]
    return out


def report_block(
    cases: list[Case], args: argparse.Namespace, pg_version: str | None, squawk: str | None, seconds: float
) -> str:
    lines = [
        BEGIN,
        "",
        f"Latest run: {dt.date.today().isoformat()}, `python bench/run.py"
        f"{' --quick' if args.quick else ''}{' --no-pg' if args.no_pg else ''}`, {seconds:.0f} s in all.",
        "",
        "Machine:",
        "",
        *machine(pg_version, squawk),
        "",
        *render_markdown(table(cases)),
        "",
    ]
    lines += [
        "Medians of the timed rounds (one untimed warm-up run of each tool first); ratio = dbctl / baseline "
        "(fan-out: --parallel 4 / --parallel 1).",
        "",
    ]
    notes = [f"- {c.title}: {c.note}" for c in cases if c.note and c.error is None]
    notes += [f"- {c.title}: ERROR: {c.error}" for c in cases if c.error is not None]
    if notes:
        lines += ["Notes:", "", *notes, ""]
    lines.append(END)
    return "\n".join(lines)


DEFAULT_REPORT = """# Benchmark results: dbctl vs plain Alembic

`python bench/run.py` regenerates the block below (`--quick` for a short smoke run). Plain
Alembic uses the `env.py` of `alembic init -t generic` (reads `sqlalchemy.url`, one transaction
for the whole upgrade); dbctl uses the `env.py` of `dbctl init` (dbctl's connection, one
transaction per revision, the ledger row in the same transaction). Both run as subprocesses of
the same Python on the same versions directory and the same database URL (sync drivers).

{block}
"""


def write_report(path: Path, block: str) -> None:
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in old and END in old:
        head, _, rest = old.partition(BEGIN)
        _, _, tail = rest.partition(END)
        text = head + block + tail
    else:
        text = DEFAULT_REPORT.format(block=block)
    path.write_text(text, encoding="utf-8")


# -- main ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def workdir(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="dbctl-bench-"))
    try:
        yield path
    finally:
        if keep:
            print(f"kept {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run (fewer rounds and revisions)")
    parser.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL cases")
    parser.add_argument("--only", help=f"comma-separated cases to run: {', '.join(CASES)}")
    parser.add_argument(
        "--rounds",
        type=int,
        help="timed rounds of every case (default: 7, 15 for start-up, 5 for upgrades, check and fan-out)",
    )
    parser.add_argument("--squawk", help="the squawk executable (default: `squawk` on PATH)")
    parser.add_argument("--output", type=Path, default=BENCH / "RESULTS.md", help="report file (default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed or a case fails")
    args = parser.parse_args(argv)

    sizes = QUICK if args.quick else FULL
    if args.rounds:
        sizes = Sizes(
            **{**sizes.__dict__, "rounds": args.rounds, "startup_rounds": args.rounds, "long_rounds": args.rounds}
        )
    wanted = set(CASES) if not args.only else {c.strip() for c in args.only.split(",")}
    if unknown := wanted - set(CASES):
        parser.error(f"unknown case(s): {', '.join(sorted(unknown))}")
    squawk = find_squawk(args.squawk)

    started = time.perf_counter()
    cases: list[Case] = []
    pg: Postgres | None = None
    pg_version = None
    with workdir(args.keep) as work:
        plan: list[tuple[str, Callable[[], Case]]] = [
            ("startup", lambda: case_startup(work, sizes)),
            ("history", lambda: case_history(work, sizes, "history")),
            ("heads", lambda: case_history(work, sizes, "heads")),
            ("upgrade-sqlite", lambda: case_upgrade(work, sizes, "sqlite", None)),
            ("upgrade-pg", lambda: case_upgrade(work, sizes, "pg", pg)),
            ("check", lambda: case_check(work, sizes, squawk)),
            ("fanout", lambda: case_fanout(work, sizes)),
        ]
        try:
            for key, make in plan:
                if key not in wanted:
                    continue
                if key == "upgrade-pg":
                    if args.no_pg:
                        continue
                    try:
                        pg = Postgres()
                        pg_version = pg.version
                    except Exception as error:  # no initdb on PATH, or it failed: say so, go on
                        print(f"PostgreSQL cases skipped: {type(error).__name__}: {error}", file=sys.stderr)
                        continue
                print(f"== {key}", flush=True)
                try:
                    cases.append(make())
                except BenchError as error:
                    print(f"  error: {error}", file=sys.stderr)
                    cases.append(Case(key, key, "dbctl", "alembic", None, error=str(error).splitlines()[0]))
                if key == "upgrade-pg" and pg is not None:
                    pg.stop()
                    pg = None
        finally:
            if pg is not None:
                pg.stop()
    seconds = time.perf_counter() - started

    print()
    print(render_text(table(cases)))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    write_report(args.output, report_block(cases, args, pg_version, squawk, seconds))
    print(f"\nwrote {args.output} ({seconds:.0f} s)")
    if args.strict and any(c.verdict in ("MISS", "ERROR") for c in cases):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
