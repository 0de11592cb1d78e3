"""Paths, constants shared by several modules, the tmux words, and messages."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
BENCH = ROOT / "bench"

# The session the single-session cases measure; created by `thanos-tmux attach -d`.
MEASURED = "bench"
# Sessions of the "500" setup (the list, names and attach budgets hold at 1 and 500).
MANY = 500
# How cost grows with sessions (it must grow linearly or better): list, names and
# attach on servers of these many sessions, and restore of these many recorded
# one-window sessions.
SCALE = (1, 100, 1000)
# Every server size a session-count case runs at.
SESSION_COUNTS = tuple(sorted({*SCALE, MANY}))
# The status cases: sessions of a few windows, some panes running a program under
# their shell, and daemons in thanos-monitor.
STATUS_SESSIONS, STATUS_DAEMONS = 50, 10
DAEMON_COMMAND = "sleep 100000"
# The budget of peak memory, for any command.
MEMORY_BUDGET_KIB = 10 * 1024

# What the bench must send exactly as thanos-tmux does, copied from the Rust code: the
# `-F` formats of `list-sessions` and `list-panes` (so the raw references fetch the same
# data), where a restore is cut into calls (tmux refuses a command message over 16 KiB;
# tmux 3.7 takes 1000 arguments), and the hook index thanos-tmux registers at. Keys are
# the constants' paths in the crate; a unit test keeps the file and the code equal.
WORDS_FILE = BENCH / "tmux-words.json"


def die(message: str) -> "NoReturn":  # noqa: F821
    print(f"bench: {message}", file=sys.stderr)
    sys.exit(1)


def note(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _load_words() -> dict:
    try:
        words = json.loads(WORDS_FILE.read_text())
    except (OSError, ValueError) as e:
        die(f"{WORDS_FILE}: {e}")
    keys = ("tmux::format::SESSIONS", "tmux::format::PANES", "tmux::MAX_BATCH_BYTES",
            "tmux::MAX_BATCH_ARGS", "hooks::INDEX")
    if missing := [k for k in keys if k not in words]:
        die(f"{WORDS_FILE}: missing {', '.join(missing)}")
    return words


WORDS = _load_words()
SESSIONS_FORMAT: str = WORDS["tmux::format::SESSIONS"]
PANES_FORMAT: str = WORDS["tmux::format::PANES"]
MAX_BATCH_BYTES: int = WORDS["tmux::MAX_BATCH_BYTES"]
MAX_BATCH_ARGS: int = WORDS["tmux::MAX_BATCH_ARGS"]
HOOKS_INDEX: int = WORDS["hooks::INDEX"]


class Broken(Exception):
    """thanos-tmux did not do what a case expects: the case is reported BROKEN (and the
    run exits 1), the other cases go on."""


class Flaky(Exception):
    """A run of a flaky peer failed: left out of the samples, and noted."""


def show(argv: list[str]) -> str:
    """A command as one would type it: the program's base name, shell quoting, and a
    field separator spelled out."""
    words = [Path(argv[0]).name, *(shlex.quote(a) for a in argv[1:])]
    return " ".join(words).replace("\x1f", "\\x1f")
