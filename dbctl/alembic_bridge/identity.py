"""Who this dbctl is, as written into the ledger and the lock file (asked once per process)."""

from __future__ import annotations

import getpass
import os
import socket
from datetime import UTC, datetime
from functools import cache


@cache  # asked once per revision otherwise; none of it changes while dbctl runs
def _user_and_host() -> tuple[str, str]:
    try:
        user = getpass.getuser()
    except Exception:  # no user name in containers with an arbitrary uid
        user = "unknown"
    return user, socket.gethostname()


def whoami() -> str:
    """``user@host``: the ledger's ``applied_by``."""
    user, host = _user_and_host()
    return f"{user}@{host}"


def holder_description() -> str:
    """``pid N on host, since ...``: what a waiting deploy is told about the lock's holder."""
    since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"pid {os.getpid()} on {_user_and_host()[1]}, since {since}"
