"""The peers (found on PATH, else installed once under /tmp/bench-tools) and the system
tools of the audits (strace, GNU time; installed with apt-get when missing)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .common import note

# Peers installed by the bench itself when they are not on PATH (cached across runs).
TOOLS = Path("/tmp/bench-tools")


class Tools:
    """Finds the peers, installing a missing one once; what cannot be had becomes a note."""

    def __init__(self, install: bool):
        self.install = install
        self.notes: list[str] = []
        self.found: dict[str, Path | None] = {}

    def get(self, name: str) -> Path | None:
        if name not in self.found:
            self.found[name] = getattr(self, f"_{name}")()
        return self.found[name]

    def _skip(self, message: str) -> None:
        self.notes.append(message)
        note(message)

    def _zoxide(self) -> Path | None:
        # The bench's own build first: Debian's zoxide (0.4, which the tests install) is
        # years older than what users run.
        own = TOOLS / "bin" / "zoxide"
        found = own if os.access(own, os.X_OK) else which("zoxide", None)
        hint = f"cargo install --locked --root {TOOLS} zoxide"
        if found or not self.install:
            if not found:
                self._skip(f"zoxide not installed: run `{hint}`; shell-start cases skipped")
            return found
        note(f"installing zoxide once: {hint}")
        quiet_run(["cargo", "install", "--locked", "--quiet", "--root", str(TOOLS), "zoxide"])
        found = which("zoxide", TOOLS / "bin" / "zoxide")
        if not found:
            self._skip(f"zoxide not installed (the install failed): run `{hint}`; "
                       "shell-start cases skipped")
        return found

    def _tms(self) -> Path | None:
        """tms, the tmux-sessionizer crate's binary (a peer of `pick`)."""
        found = which("tms", TOOLS / "bin" / "tms")
        hint = f"cargo install --locked --root {TOOLS} tmux-sessionizer"
        if found or not self.install:
            if not found:
                self._skip(f"tms not installed: run `{hint}`; its pick comparisons skipped")
            return found
        note(f"installing tms once: {hint} (a few minutes: it builds gix and jj-lib)")
        quiet_run(["cargo", "install", "--locked", "--quiet", "--root", str(TOOLS),
                   "tmux-sessionizer"])
        found = which("tms", TOOLS / "bin" / "tms")
        if not found:
            self._skip(f"tms not installed (the install failed): run `{hint}`; its pick "
                       "comparisons skipped")
        return found

    def _tmuxp(self) -> Path | None:
        venv = TOOLS / "venv"
        found = which("tmuxp", venv / "bin" / "tmuxp")
        if found or not self.install:
            if not found:
                self._skip(f"tmuxp not installed: run `python3 -m venv {venv} && "
                           f"{venv}/bin/pip install tmuxp`; its comparison skipped")
            return found
        note(f"installing tmuxp once into {venv} (pip)")
        pip_ok = quiet_run([sys.executable, "-m", "venv", str(venv)]) and quiet_run(
            [str(venv / "bin" / "pip"), "install", "--quiet", "tmuxp"]
        )
        found = which("tmuxp", venv / "bin" / "tmuxp")
        if not found:
            note("pip could not install tmuxp; trying `apt-get install -y tmuxp`")
            apt_install("tmuxp")
            found = which("tmuxp", venv / "bin" / "tmuxp")
        if not found:
            self._skip(
                f"tmuxp not installed: pip install {'failed' if not pip_ok else 'gave no tmuxp'}"
                " and `apt-get install -y tmuxp` failed; its comparison skipped"
            )
        return found

    def _tmuxinator(self) -> Path | None:
        found = which("tmuxinator", None)
        if found or not self.install:
            if not found:
                self._skip("tmuxinator not installed: run `apt-get install -y tmuxinator`; "
                           "its comparison skipped")
            return found
        note("installing tmuxinator once: apt-get install -y tmuxinator")
        apt_install("tmuxinator")
        found = which("tmuxinator", None)
        if not found:
            self._skip("tmuxinator is not available from Debian here (`apt-get install -y "
                       "tmuxinator` failed); its comparison skipped")
        return found


def which(name: str, fallback: Path | None) -> Path | None:
    found = shutil.which(name)
    if found:
        return Path(found)
    if fallback is not None and os.access(fallback, os.X_OK):
        return fallback
    return None


def quiet_run(argv: list[str], env: dict | None = None) -> bool:
    try:
        done = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env
        )
    except OSError as e:
        note(f"`{' '.join(argv)}`: {e}")
        return False
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        note(f"`{' '.join(argv)}` exited {done.returncode}: {' / '.join(tail)}")
    return done.returncode == 0


def system_tool(name: str, package: str, install: bool) -> str | None:
    """A tool of the machine (strace, GNU time), installed with apt-get when missing."""
    def find() -> str | None:
        return shutil.which(name) or (f"/usr/bin/{name}" if os.access(f"/usr/bin/{name}", os.X_OK)
                                      else None)

    if (found := find()) or not install:
        return found
    note(f"installing {package} once: apt-get install -y {package}")
    apt_install(package)
    return find()


def apt_install(package: str) -> bool:
    if not shutil.which("apt-get"):
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return quiet_run(["apt-get", "install", "-y", "-qq", package], env=env)
