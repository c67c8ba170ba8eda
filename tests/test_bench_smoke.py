"""`python bench/run.py --quick` runs end to end (SQLite only) and writes its report.

Only that it completes is checked here: the speed goals are the benchmark's business (its
report says PASS or MISS), never a timed unit test's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_quick_bench_completes_and_writes_a_report(tmp_path: Path) -> None:
    report = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--quick", "--no-pg", "--output", str(report)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    text = report.read_text(encoding="utf-8")
    assert "<!-- bench:begin -->" in text and "<!-- bench:end -->" in text
    for case in ("dbctl --help", "`history`", "`heads`", "`upgrade head`", "`dbctl check`", "fan-out"):
        assert case in text, case
    assert "ERROR" not in text, text
    assert "Python " in text and "cores" in text  # the machine description
    assert str(tmp_path) not in text  # no machine-specific paths in the report
