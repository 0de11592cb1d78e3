"""Timing. Each case first runs every side once, untimed, under `/usr/bin/time -f %M`,
and checks it did what the case expects (`verify`). Then the cases of one setup are
timed together in interleaved rounds (`measure`): within a case the sides take turns
first (A B, B A, ...; with more sides A B C, B C A, C A B, ...), so that noise on a shared
machine hits every side alike. One run is timed from spawn to reaped exit.

A side that misbehaves is marked broken in its case (`fail`) and timed no more; a
known-flaky peer's failed run is only left out and noted."""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

from .common import Broken, Flaky, note, show
from .model import Case, Side
from .sandbox import Sandbox


def spawn_time(argv: list[str], env: dict, cwd: Path, devnull: int,
               errfile: int | None = None) -> tuple[float, int]:
    """Wall time (ms) of one run from spawn to reaped exit, output to /dev/null (stderr
    to `errfile` when given, emptied first, to tell why a run failed). A bare program
    name is searched on PATH, as the shell (and thanos-tmux, for tmux) would."""
    if errfile is not None:
        os.ftruncate(errfile, 0)
        os.lseek(errfile, 0, os.SEEK_SET)
    actions = [
        (os.POSIX_SPAWN_DUP2, devnull, 0),
        (os.POSIX_SPAWN_DUP2, devnull, 1),
        (os.POSIX_SPAWN_DUP2, devnull if errfile is None else errfile, 2),
    ]
    here = os.getcwd()
    os.chdir(cwd)
    try:
        start = time.perf_counter_ns()
        pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions)
        _, status = os.waitpid(pid, 0)
        elapsed = time.perf_counter_ns() - start
    finally:
        os.chdir(here)
    return elapsed / 1e6, os.waitstatus_to_exitcode(status)


def verify(sb: Sandbox, case: Case) -> None:
    """Runs every side once, untimed, and checks it does what the case expects; a
    thanos-tmux side that does not is marked broken (see `fail`). These runs go under
    `/usr/bin/time -f %M`: every thanos-tmux command of the run gets its row in the peak
    memory table, beside the reference it is compared with."""
    peaks: dict[str, int | None] = {}
    for side in case.sides:
        if side.make:
            side.runs = side.make()
        if not case.verify_refs and side.key not in ("a", "thanos"):
            continue
        try:
            peaks[side.key] = verify_side(sb, case, side)
        except Broken as e:
            case.broken[side.key] = str(e)
            note(f"{case.name}: BROKEN: {e}")
    peaks = {**case.known_peaks, **{k: v for k, v in peaks.items() if v is not None}}
    sessions = case.sessions or ("-" if case.setup == "none" else case.setup)
    for side in case.sides:
        if len(side.runs) != 1 or side.runs[0][0] != str(sb.binary):
            continue
        if any(m["command"] == side.text() and m["sessions"] == sessions for m in sb.memory):
            continue
        cmp = next((c for c in case.compares if c.a == side.key), None)
        sb.add_memory(case.name, side.text(), sessions, peaks.get(side.key),
                      peaks.get(cmp.b) if cmp and cmp.b != side.key else None,
                      case.broken.get(side.key))


def verify_side(sb: Sandbox, case: Case, side: Side) -> int | None:
    """One untimed run of a side, checked; returns its peak RSS (KiB; the largest of
    its runs), when GNU time is there."""
    if case.prepare:
        case.prepare(side.key)
    if side.timer:
        _, peak = side.timer(side.env or sb.env, sb.time_binary())
        if case.post and (problem := case.post()):
            fail(case, side, f"after `{side.text()[:120]}`: {problem}")
        return peak
    peak = None
    for argv in side.runs:
        done, kib = sb.run_peak(argv, env=side.env)
        peak = max(peak or 0, kib) if kib is not None else peak
        if done.returncode not in side.codes:
            fail(case, side, f"`{show(argv)[:200]}` exited {done.returncode}, expected "
                             f"{sorted(side.codes)}: {done.stderr.strip()[:300]}")
    if side.check and (problem := side.check(done)):
        fail(case, side, problem)
    if case.post and (problem := case.post()):
        fail(case, side, f"after `{side.text()[:120]}`: {problem}")
    return peak


def fail(case: Case, side: Side, problem: str) -> "NoReturn":  # noqa: F821
    """A side that misbehaves is marked broken, with the comparisons it is in; the rest
    of the case goes on. A broken reference is named as such."""
    if side.key in ("a", "thanos"):
        raise Broken(problem)
    raise Broken(f"reference {side.key} failed: {problem}")


def measure(sb: Sandbox, group: list[Case], rounds: int, warmup: int) -> dict[tuple, list]:
    """Interleaved rounds over every case of one setup; the sides of a case take turns
    first (A B, B A; A B C, B C A, C A B, ...). A side that breaks (see `fail`) is
    marked in its case and timed no more."""
    samples = {(id(c), s.key): [] for c in group for s in c.sides}
    devnull = os.open(os.devnull, os.O_RDWR)
    errfile = os.open(sb.root / "stderr", os.O_RDWR | os.O_CREAT, 0o600)
    plan = {
        id(c): (min(warmup, c.max_warmup if c.max_warmup is not None else warmup),
                min(rounds, c.max_rounds or rounds))
        for c in group
    }
    gc.disable()
    try:
        for r in range(warmup + rounds):
            for case in group:
                run_round(sb, case, r, warmup + rounds, plan[id(case)], samples, devnull,
                          errfile)
    finally:
        gc.enable()
        os.close(devnull)
        os.close(errfile)
    return samples


def run_round(sb: Sandbox, case: Case, r: int, total: int, plan: tuple[int, int],
              samples: dict[tuple, list], devnull: int, errfile: int) -> None:
    w, n = plan
    # Every case ends on the last round, so heavy ones start late.
    i = r - (total - w - n)
    if i < 0:
        return
    k = i % len(case.sides)
    for side in case.sides[k:] + case.sides[:k]:
        timed = i - w
        if side.key in case.broken:
            continue
        if side.max_rounds is not None and timed >= side.max_rounds:
            continue
        if case.prepare:
            case.prepare(side.key)
        try:
            ms: float | list[float] = 0.0
            if side.timer:
                ms, _ = side.timer(side.env or sb.env, None)
            for argv in ([] if side.timer else side.runs):
                took, code = spawn_time(argv, side.env or sb.env, sb.home, devnull, errfile)
                ms += took
                if code not in side.codes:
                    os.lseek(errfile, 0, os.SEEK_SET)
                    err = os.read(errfile, 4000).decode(errors="replace").strip().splitlines()
                    more = f" (+{len(err) - 1} more lines)" if len(err) > 1 else ""
                    problem = (f"`{show(argv)[:200]}` exited {code}: "
                               f"{(err[0] if err else '')[:300]}{more}")
                    if side.flaky and len(side.failures) < 3:
                        side.failures.append(problem)
                        note(f"{case.name}: {side.key} failed (run left out): {problem}")
                        raise Flaky()
                    fail(case, side, problem)
            if case.post and (problem := case.post()):
                fail(case, side, f"after `{side.text()[:120]}`: {problem}")
        except Broken as e:
            case.broken[side.key] = f"timed round {timed + 1}: {e}"
            note(f"{case.name}: BROKEN: {case.broken[side.key]}")
            continue
        except Flaky:
            continue
        if timed >= 0:
            samples[(id(case), side.key)] += ms if isinstance(ms, list) else [ms]
