"""One whole run: build, sandbox, the cases setup by setup (check run, timed rounds,
audits), then the report. Returns the exit status: 1 when a case broke."""

from __future__ import annotations

import atexit
import dataclasses
import os
import signal
import sys
import time
from pathlib import Path
from typing import Callable

from .build import build
from .cases import Bench, build_cases
from .common import Broken, die, note
from .model import Case
from .report import (ADDED_COLUMNS, COLUMNS, broken_row, extra_sections, growth, machine,
                     peer_versions, split_rows, summarize, text_table, write_results)
from .sandbox import SETUPS, Sandbox
from .timing import measure, verify
from .tools import Tools


@dataclasses.dataclass
class Options:
    rounds: int
    warmup: int
    want: Callable[[str], bool]
    only: str | None        # as given, for the report
    stem: str               # bench/STEM.md and .json
    no_build: bool
    install: bool


def run(opts: Options) -> int:
    load_start = os.getloadavg()
    procs_start = (sum(1 for e in os.scandir("/proc") if e.name.isdigit())
                   if os.path.isdir("/proc") else None)
    if load_start[0] > 1.0:
        note(f"load average {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}: the "
             "machine is busy, figures will be noisier (the load is noted in results.md)")
    sb = Sandbox(*build(opts.no_build))
    sb.install = opts.install
    atexit.register(sb.close)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda s, _f: sys.exit(128 + s))

    tools = Tools(install=opts.install)
    all_cases = build_cases(Bench(sb, tools, opts.rounds), opts.want)
    if not all_cases:
        die("no case to run")
    started = time.monotonic()
    samples, audits, state_writes = run_setups(sb, all_cases, opts)
    rows: list[dict] = []
    for c in all_cases:
        for cmp in c.compares:
            keys = [k for k in (cmp.a, cmp.b, cmp.base) if k]
            why = next((c.broken[k] for k in keys if k in c.broken), None)
            if why is None and not all(samples.get((id(c), k)) for k in keys):
                why = "no timed run"
            rows.append(broken_row(c, cmp, why) if why else summarize(c, cmp, samples))

    info = machine(sb)
    info["peers"] = peer_versions(sb, tools)
    info["load_start"] = " ".join(f"{x:.2f}" for x in load_start)
    info["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    info["processes_start"] = procs_start
    sb.close()
    extra = {"growth": growth(rows), "memory": sb.memory, "proc_reads": audits}
    print_report(rows, extra, info, opts.rounds, time.monotonic() - started, state_writes)
    failures = list(dict.fromkeys(f"{c.name}: {why}" for c in all_cases
                                  for why in c.broken.values()))
    notes = tools.notes + collect_notes(all_cases, sb, audits)
    for n in notes:
        print(f"note: {n}")
    for f in failures:
        print(f"BROKEN: {f}")
    write_results(opts.stem, info, rows, opts.rounds, state_writes,
                  notes + [f"BROKEN: {f}" for f in failures], opts.only, extra)
    note(f"wrote bench/{opts.stem}.md and bench/{opts.stem}.json")
    return 1 if failures else 0


def run_setups(sb: Sandbox, all_cases: list[Case], opts: Options
               ) -> tuple[dict[tuple, list], list[dict], bool]:
    """Every setup once, in order, and its cases: the check run, the timed rounds, the
    audits. Returns the samples, the audit rows, and whether a read-only case wrote the
    state file while timed."""
    samples: dict[tuple, list] = {}
    audits: list[dict] = []
    state_writes = False
    for setup in dict.fromkeys(c.setup for c in all_cases):
        group = [c for c in all_cases if c.setup == setup]
        setup_fn = group[0].setup_fn or SETUPS[setup]
        note(f"setup: {group[0].sessions or setup}" if setup != "none" else "setup: no server")
        try:
            setup_fn(sb)
        except Broken as e:
            note(f"{', '.join(c.name for c in group)}: BROKEN: {e}")
            for case in group:
                case.broken.update({side.key: str(e) for side in case.sides})
            group = []
        for case in group:
            verify(sb, case)
        before = stamp(sb.state_file)
        samples.update(measure(sb, group, opts.rounds, opts.warmup))
        if not any(c.writes_state for c in group):
            state_writes |= stamp(sb.state_file) != before
        for case in group:
            if case.audit and "a" not in case.broken:
                audits.append(case.audit())
    return samples, audits, state_writes


def print_report(rows: list[dict], extra: dict, info: dict, rounds: int, seconds: float,
                 state_writes: bool) -> None:
    plain, added = split_rows(rows)
    if plain:
        print(text_table(plain, COLUMNS))
    if added:
        print(("\n" if plain else "") + text_table(added, ADDED_COLUMNS))
    for section in extra_sections(extra["growth"], extra["memory"], extra["proc_reads"],
                                  md=False):
        print("\n" + section.split("\n\n", 1)[1])
    for a in extra["proc_reads"]:
        if a.get("outside_pane_trees"):
            print(f"{a['command']}: opened /proc of pids outside the panes' trees, e.g. "
                  f"{a['outside_pane_trees'][:10]}")
    print(
        f"\n{rounds} rounds per case (heavy cases fewer), {seconds:.0f} s; "
        f"{info['tmux']}, {info['uname']}, nproc {info['nproc']}; load {info['load_start']} → "
        f"{info['load_end']}; state file written while read-only cases were timed: "
        f"{'yes' if state_writes else 'no'}"
    )


def collect_notes(all_cases: list[Case], sb: Sandbox, audits: list[dict]) -> list[str]:
    """What the report notes besides the peers: failed runs of flaky peers left out,
    peak memory that could not be had, /proc audits skipped or missed."""
    notes = []
    for c in all_cases:
        for side in c.sides:
            if side.failures:
                notes.append(f"{c.name}: {side.key} failed {len(side.failures)} run(s), left "
                             f"out: {side.failures[0]}")
    for m in sb.memory:
        if m["verdict"] == "BROKEN":
            notes.append(f"peak memory of `{m['command']}` ({m['sessions']}): {m['problem']}")
    for a in audits:
        if a["verdict"] in ("skipped", "MISS") and a.get("problem"):
            notes.append(f"/proc reads of `{a['command']}`: {a['verdict']}: {a['problem']}")
    return notes


def stamp(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)
