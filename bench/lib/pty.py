"""A program on a pseudo-terminal, as a terminal emulator runs it: its own session, the
pty's slave as stdin, stdout, stderr and controlling terminal, a window size set with
TIOCSWINSZ. The bench
reads what it draws (`wait_for`: until a predicate holds on the bytes received, timed
from spawn or from a key sent) and types keys (`send`). `Screen` replays the bytes onto
a grid of cells, enough of a terminal to read back what a frame shows (untimed)."""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import termios
import time
from pathlib import Path
from typing import Callable

from .common import Broken, show

# How long a frame, a key's redraw or the exit may take before the run is called broken.
LIMIT_S = 20.0


class Pty:
    """One program on a fresh pty of `cols`×`rows`. Its output is read into `out`;
    `mark` is where the bytes of the last key sent start."""

    def __init__(self, argv: list[str], env: dict, cwd: Path, cols: int = 120,
                 rows: int = 40):
        self.argv = argv
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        # Opened by path in the child, after setsid: the pty becomes its controlling
        # terminal (/dev/tty), as a terminal emulator's shell has it.
        actions = [(os.POSIX_SPAWN_OPEN, 0, os.ttyname(slave), os.O_RDWR, 0),
                   (os.POSIX_SPAWN_DUP2, 0, 1), (os.POSIX_SPAWN_DUP2, 0, 2)]
        here = os.getcwd()
        os.chdir(cwd)
        try:
            self.start = time.perf_counter_ns()
            self.pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions, setsid=True)
        finally:
            os.chdir(here)
            # Only the child holds the slave now: its exit reads as EIO on the master.
            os.close(slave)
        self.out = bytearray()
        self.mark = 0
        self.eof = False
        self.status: int | None = None

    def _read(self, timeout: float) -> bool:
        """Reads what is there within `timeout` s; False at EOF (the child is gone)."""
        if self.eof:
            return False
        ready, _, _ = select.select([self.master], [], [], max(timeout, 0.0))
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 1 << 16)
        except OSError:  # EIO: every slave fd is closed
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.out += chunk
        return True

    def wait_for(self, done: Callable[[bytes], bool], what: str, since: int,
                 poll: float | None = None) -> float:
        """Reads until `done` holds on the bytes received since the last key sent (all
        of them before any); returns the ms from `since` (perf_counter_ns of the spawn,
        or of the key) to that read. `poll`: ask `done` at least this often (s), for a
        condition that is not in the output."""
        deadline = time.monotonic() + LIMIT_S
        while not done(bytes(self.out[self.mark:])):
            left = deadline - time.monotonic()
            if left < 0 or not self._read(min(left, poll) if poll else left):
                tail = bytes(self.out[-300:]).decode(errors="replace")
                raise Broken(f"`{show(self.argv)[:120]}` on a pty: no {what} "
                             f"({'it exited' if self.eof else f'{LIMIT_S:.0f} s'}); "
                             f"last output: {tail!r}")
        return (time.perf_counter_ns() - since) / 1e6

    def send(self, keys: bytes) -> int:
        """Types `keys`; what is read next counts from here. Returns the time sent."""
        self.mark = len(self.out)
        sent = time.perf_counter_ns()
        os.write(self.master, keys)
        return sent

    def quiet(self, seconds: float) -> None:
        """Reads until nothing has come for `seconds`."""
        while not self.eof:
            before = len(self.out)
            self._read(seconds)
            if len(self.out) == before:
                return

    def wait_exit(self) -> tuple[float, int]:
        """Reads until the child is gone; the ms from spawn to its reaped exit, and its
        exit code."""
        deadline = time.monotonic() + LIMIT_S
        while self._read(deadline - time.monotonic()):
            if time.monotonic() > deadline:
                self.kill()
                raise Broken(f"`{show(self.argv)[:120]}` on a pty did not exit within "
                             f"{LIMIT_S:.0f} s")
        _, status = os.waitpid(self.pid, 0)
        took = (time.perf_counter_ns() - self.start) / 1e6
        self.status = os.waitstatus_to_exitcode(status)
        self.close()
        return took, self.status

    def kill(self) -> None:
        """Ends the child this Pty started and every process of the session it leads
        (setsid made its pid the group's id: a program under GNU time is its child, and
        must not outlive it), then reaps it."""
        if self.status is None:
            try:
                os.killpg(self.pid, 9)
            except OSError:
                pass
            try:
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.status = -9
        self.close()

    def close(self) -> None:
        if self.master >= 0:
            os.close(self.master)
            self.master = -1


_TOKEN = re.compile(rb"\x1b\[([0-9;?<>=]*)([@-~])|\x1b[()][0-9A-Za-z]|\x1b[@-_]|"
                    rb"[\x00-\x1f\x7f]|[^\x00-\x1f\x7f\x1b]+")


class Screen:
    """What a terminal of `cols`×`rows` would show after these bytes: printable text at
    the cursor, cursor moves (`CSI row;col H`), erases of the whole screen; styles and
    modes are read past. Enough to read back a ratatui frame (every glyph it draws is
    one column wide)."""

    def __init__(self, cols: int, rows: int):
        self.cols, self.rows = cols, rows
        self.grid = [[" "] * cols for _ in range(rows)]
        self.x = self.y = 0

    def feed(self, data: bytes) -> "Screen":
        for m in _TOKEN.finditer(data):
            if m.group(2) is not None:
                params, final = m.group(1), m.group(2)
                if final == b"H":
                    nums = [int(p) if p else 1 for p in params.split(b";")] if params else [1, 1]
                    self.y, self.x = nums[0] - 1, (nums[1] if len(nums) > 1 else 1) - 1
                elif final == b"J" and params in (b"2", b"3"):
                    self.grid = [[" "] * self.cols for _ in range(self.rows)]
                continue
            text = m.group(0)
            if text[:1] in (b"\x1b",) or (len(text) == 1 and text[0] < 0x20):
                if text == b"\r":
                    self.x = 0
                elif text == b"\n":
                    self.y += 1
                continue
            for ch in text.decode(errors="replace"):
                if 0 <= self.y < self.rows and 0 <= self.x < self.cols:
                    self.grid[self.y][self.x] = ch
                self.x += 1
        return self

    def row(self, y: int) -> str:
        return "".join(self.grid[y]).rstrip()
