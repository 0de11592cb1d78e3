"""The sandbox: private folders (HOME, XDG_*, TMUX_TMPDIR) and one private tmux server,
with the setups that bring it to N sessions. Only the sandbox's own server is ever
killed, and the sandbox is removed on exit."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from .common import (HOOKS_INDEX, MANY, MEASURED, MEMORY_BUDGET_KIB, SCALE, die, note,
                     show)
from .tools import system_tool

# Sessions made by one raw tmux call when a setup brings the server to N sessions.
CHUNK = 100
# ensure_sessions' count once a setup built its own layout: the next one starts afresh.
LAYOUT = sys.maxsize
# How long teardown (a killed server, its hook processes) may take before we go on.
SETTLE_LIMIT_S = 30


class Sandbox:
    """Private folders and one private tmux server; `close` kills that server only."""

    def __init__(self, binary: Path, floor: Path, wrap: Path):
        self.binary, self.floor, self.wrap = binary, floor, wrap
        self.tmux = shutil.which("tmux") or die("tmux is not on PATH")
        self.root = Path(tempfile.mkdtemp(prefix="thanos-bench.", dir="/tmp"))
        self.home = self.root / "home"
        dirs = {
            "TMUX_TMPDIR": self.root / "tmux",
            "HOME": self.home,
            "XDG_CONFIG_HOME": self.home / ".config",
            "XDG_STATE_HOME": self.home / ".local" / "state",
            "XDG_DATA_HOME": self.home / ".local" / "share",
            "XDG_CACHE_HOME": self.home / ".cache",
            "XDG_RUNTIME_DIR": self.root / "run",
        }
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True, mode=0o700)
        (self.home / ".tmux.conf").write_text("set -g default-shell /bin/sh\n")
        env = {
            k: v for k, v in os.environ.items()
            if k not in ("TMUX", "TMUX_PANE") and not k.startswith("THANOS_")
        }
        env.update({k: str(v) for k, v in dirs.items()})
        env.update({"SHELL": "/bin/sh", "NO_COLOR": "1", "LC_ALL": "C.UTF-8"})
        self.env = env
        self.socket = dirs["TMUX_TMPDIR"] / f"tmux-{os.getuid()}" / "default"
        self.state_dir = dirs["XDG_STATE_HOME"] / "thanos-tmux"
        self.state_file = self.state_dir / "sessions.json"
        self.sessions = 0
        self.install = True             # may a missing system tool be installed?
        self.time_bin: str | None = None  # GNU time, for the peak memory pass
        self.memory: list[dict] = []    # rows of the peak memory table
        self._closed = False

    # -- running commands -------------------------------------------------------------

    def run(
        self, argv: list[str], check: bool = True, env: dict | None = None
    ) -> subprocess.CompletedProcess:
        done = subprocess.run(
            argv, env=env or self.env, cwd=self.home, stdin=subprocess.DEVNULL,
            capture_output=True, text=True,
        )
        if check and done.returncode != 0:
            die(f"`{show(argv)}` exited {done.returncode}: {done.stderr.strip()}")
        return done

    def tmux_cmd(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        # Always -S our own socket: nothing here can reach another server.
        return self.run([self.tmux, "-S", str(self.socket), *args], check=check)

    def run_peak(self, argv: list[str], env: dict | None = None
                 ) -> tuple[subprocess.CompletedProcess, int | None]:
        """Runs argv (untimed) under `/usr/bin/time -f %M` when GNU time is there: its
        result and peak RSS in KiB, the largest of the process and of the children it
        waited for (a tmux client)."""
        if not self.time_binary():
            return self.run(argv, check=False, env=env), None
        out = self.root / "maxrss"
        out.unlink(missing_ok=True)
        done = self.run([self.time_bin, "-f", "%M", "-o", str(out), *argv], check=False,
                        env=env)
        lines = out.read_text().split() if out.exists() else []
        return done, int(lines[-1]) if lines and lines[-1].isdigit() else None

    def time_binary(self) -> str | None:
        """GNU time (installed with apt-get when missing and allowed), or None."""
        if self.time_bin is None:
            self.time_bin = system_tool("time", "time", self.install) or ""
        return self.time_bin or None

    def add_memory(self, case: str, what: str, sessions: str, kib: int | None,
                   ref_kib: int | None = None, problem: str | None = None) -> None:
        """A row of the peak memory table (the budget: under 10 MiB for any command)."""
        row = {"case": case, "command": what, "sessions": sessions, "max_rss_kib": kib,
               "ref_max_rss_kib": ref_kib}
        if problem or kib is None:
            row.update({"verdict": "BROKEN" if problem else "skipped",
                        "problem": problem or "GNU time is not installed (apt-get install -y time)"})
        else:
            row["verdict"] = "PASS" if kib < MEMORY_BUDGET_KIB else "MISS"
        self.memory.append(row)

    def server_pid(self) -> int | None:
        done = self.tmux_cmd("display-message", "-p", "#{pid}", check=False)
        return int(done.stdout) if done.returncode == 0 and done.stdout.strip() else None

    # -- setups -----------------------------------------------------------------------

    def unhook(self) -> None:
        """Unregisters thanos-tmux's tmux hooks (index `hooks::INDEX`) from our
        server, if one runs: killed with them, a server of 1000 sessions fires 1000
        `session-closed` hooks (2000 processes, seconds of teardown). Untimed."""
        if not self.socket_answers():
            return
        listed = self.tmux_cmd("show-hooks", "-g", check=False).stdout.split("\n")
        ours = [line.split()[0] for line in listed
                if line.split() and f"[{HOOKS_INDEX}]" in line.split()[0]]
        cmds: list[str] = []
        for hook in ours:
            cmds += ([";"] if cmds else []) + ["set-hook", "-gu", hook]
        if cmds:
            self.tmux_cmd(*cmds, check=False)

    def kill_server(self) -> None:
        """Kills our server and waits until it is gone (a zombie counts as gone) and the
        hook processes it started (`thanos-tmux hook ...` in the background) have ended,
        so that none of that teardown runs into the next timed run."""
        pid = self.server_pid()
        if pid is None and self.socket_answers():
            # A server without sessions (thanos-tmux sets exit-empty off) has no #{pid}
            # to print: kill it and wait until its socket stops answering.
            self.tmux_cmd("kill-server", check=False)
            deadline = time.monotonic() + SETTLE_LIMIT_S
            while time.monotonic() < deadline and self.socket_answers():
                time.sleep(0.02)
        if pid is not None:
            self.tmux_cmd("kill-server", check=False)
            # A busy server lingers after kill-server (1-2 s with 100 panes).
            deadline = time.monotonic() + SETTLE_LIMIT_S
            while time.monotonic() < deadline and alive(pid):
                time.sleep(0.02)
            if alive(pid):
                note(f"tmux server {pid} still alive {SETTLE_LIMIT_S} s after kill-server")
        self.sessions = 0
        self.wait_hooks()

    def socket_answers(self) -> bool:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            try:
                s.connect(str(self.socket))
                return True
            except OSError:
                return False

    def hook_pids(self) -> list[int]:
        """Processes running a hook of our server: `thanos-tmux ... hook EVENT`, or the
        `sh -c` tmux's run-shell wraps it in. Both name our sandbox's socket."""
        mark = str(self.root).encode()
        found = []
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                    cmdline = f.read()
            except OSError:
                continue
            words = b" " + cmdline.replace(b"\0", b" ") + b" "
            if mark in words and b" hook " in words and b"run-shell" not in words:
                found.append(int(entry.name))
        return found

    def wait_hooks(self) -> None:
        deadline = time.monotonic() + SETTLE_LIMIT_S
        while (pids := self.hook_pids()) and time.monotonic() < deadline:
            time.sleep(0.02)
        if pids:
            note(f"hook processes still running after {SETTLE_LIMIT_S} s: {pids}")

    def reset_state(self) -> None:
        """An empty state folder: no record of earlier setups leaks into a restore."""
        self.wait_hooks()
        shutil.rmtree(self.state_dir, ignore_errors=True)

    def ensure_sessions(self, n: int) -> None:
        """Brings the server to n sessions: the measured one made by thanos-tmux, the rest
        by batched raw tmux calls, then recorded by thanos-tmux as a user's would be."""
        if n < self.sessions:
            # Fewer than now: a new server, without the records of the larger setup
            # (the first attach to a stopped server would restore them all).
            self.kill_server()
            self.reset_state()
        if self.sessions == 0:
            # Whatever a restore left running (it keeps the count at 0) goes first.
            self.kill_server()
            self.run([str(self.binary), "attach", "-d", MEASURED])
            self.sessions = 1
        names = [f"s{i}" for i in range(self.sessions + 1, n + 1)]
        for i in range(0, len(names), CHUNK):
            batch: list[str] = []
            for name in names[i:i + CHUNK]:
                batch += [";"] if batch else []
                batch += ["new-session", "-d", "-s", name]
            self.tmux_cmd(*batch)
        for name in names:
            self.run([str(self.binary), "attach", "-q", "-d", name])
        self.sessions = n
        listed = self.tmux_cmd("list-sessions", "-F", "#{session_name}").stdout.split()
        if len(listed) != n:
            die(f"expected {n} sessions, tmux has {len(listed)}")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.kill_server()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


# The setups a case names by key (a case with a layout of its own brings a `setup_fn`):
# no server, or a server of N recorded sessions.
SETUPS: dict[str, Callable[[Sandbox], None]] = {
    "none": lambda sb: sb.kill_server(),
    **{str(n): (lambda sb, n=n: sb.ensure_sessions(n)) for n in sorted({*SCALE, MANY})},
}
