"""The status cases: `status --json` and `daemons status --json` on 50 sessions and 10
daemons, their setup and checks, and the audit of which /proc entries they read."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .common import (DAEMON_COMMAND, MAX_BATCH_BYTES, STATUS_DAEMONS, STATUS_SESSIONS,
                     Broken, show)
from .layouts import pack
from .model import Case, Compare, Side
from .sandbox import LAYOUT, Sandbox
from .tools import system_tool


def status_env(sb: Sandbox) -> dict:
    """The sandbox's environment with the status cases' config (10 daemons), given by
    THANOS_TMUX_CONFIG so that no other case reads it."""
    return {**sb.env, "THANOS_TMUX_CONFIG": str(sb.root / "status-config.toml")}


def status_setup(sb: Sandbox) -> None:
    """50 sessions of 3 windows (4 panes: a shell; a shell running `sleep` in front;
    two shells side by side), recorded with `thanos-tmux save`, and 10 daemons started
    with `thanos-tmux daemons start` (thanos-monitor, one window each)."""
    env = status_env(sb)
    config = "".join(f'[[daemons]]\nname = "d{i:02d}"\ncommand = "{DAEMON_COMMAND}"\n\n'
                     for i in range(1, STATUS_DAEMONS + 1))
    Path(env["THANOS_TMUX_CONFIG"]).write_text(config)
    sb.kill_server()
    sb.reset_state()
    cmds = []
    for i in range(1, STATUS_SESSIONS + 1):
        name = f"st{i:02d}"
        d = sb.root / "dirs" / name
        d.mkdir(parents=True, exist_ok=True)
        cmds += [
            ["new-session", "-d", "-s", name, "-n", "w1", "-c", str(d)],
            ["new-window", "-t", f"={name}:", "-n", "w2", "-c", str(d),
             f"{DAEMON_COMMAND}; exec /bin/sh"],
            ["new-window", "-t", f"={name}:", "-n", "w3", "-c", str(d)],
            ["split-window", "-t", f"={name}:=w3", "-c", str(d)],
        ]
    for call in pack(cmds, MAX_BATCH_BYTES):
        sb.run(call)
    sb.sessions = LAYOUT
    t = str(sb.binary)
    sb.run([t, "save"], env=env)
    argv = [t, "daemons", "start"]
    done, kib = sb.run_peak(argv, env)
    if done.returncode != 0:
        raise Broken(f"setup: `thanos-tmux daemons start` exited {done.returncode}: "
                     f"{done.stderr.strip()[:300]}")
    sb.add_memory("setup", show(argv), f"{STATUS_SESSIONS}, {STATUS_DAEMONS} daemons", kib)
    done = sb.run([t, "daemons", "status", "--json"], env=env)
    if problem := expect_daemons(done.stdout):
        raise Broken(f"setup: after `thanos-tmux daemons start`: {problem}")
    sb.wait_hooks()


def expect_daemons(stdout: str) -> str | None:
    try:
        rows = json.loads(stdout)
    except ValueError as e:
        return f"not JSON: {e}"
    running = [r for r in rows if r.get("running") and r.get("pid") and r.get("memory_bytes")]
    if len(rows) != STATUS_DAEMONS or len(running) != STATUS_DAEMONS:
        return (f"expected {STATUS_DAEMONS} daemons running with a pid and memory, got "
                f"{len(running)} of {len(rows)}")
    return None


def expect_status(stdout: str) -> str | None:
    """Every session of the layout, with the 5 processes of its 4 panes (a shell each,
    plus the sleep in front of one), and the daemons running."""
    try:
        doc = json.loads(stdout)
    except ValueError as e:
        return f"not JSON: {e}"
    ours = [x for x in doc.get("sessions", []) if x.get("name", "").startswith("st")]
    wrong = [f"{x['name']}: {x.get('processes')}" for x in ours
             if x.get("processes") != 5 or not x.get("alive") or not x.get("managed")
             or not x.get("memory_bytes")]
    if len(ours) != STATUS_SESSIONS or wrong:
        return (f"expected {STATUS_SESSIONS} live managed sessions of 5 processes each, got "
                f"{len(ours)}; e.g. {wrong[:3]}")
    return expect_daemons(json.dumps(doc.get("daemons", [])))


def status_case(sb: Sandbox, name: str) -> Case:
    """`status --json` or `daemons status --json` with 10 daemons and 50 sessions. No
    raw command computes the same; the references, for information, are the one tmux
    query status needs, and what a naive scan of every process costs. After the timed
    rounds an strace (untimed) tells which /proc entries the command opened (`audit`)."""
    t, env = str(sb.binary), status_env(sb)
    sessions = f"{STATUS_SESSIONS}, {STATUS_DAEMONS} daemons"
    argv, check = {
        "status --json": ([t, "status", "--json"], expect_status),
        "daemons status --json": ([t, "daemons", "status", "--json"], expect_daemons),
    }[name]
    return Case(
        name, "status50",
        [Side("a", [argv], env=env, check=lambda p: check(p.stdout)),
         Side("panes", [["tmux", "list-panes", "-a", "-F", "#{session_name} #{pane_pid}"]]),
         Side("ps", [["ps", "-e", "-o", "pid,ppid,rss,%cpu"]])],
        [Compare("a", "panes", "tmux list-panes -a (its one query)", None),
         Compare("a", "ps", "ps -e -o pid,ppid,rss,%cpu (every process)", None,
                 name=f"  {name} vs ps -e")],
        sessions=sessions,
        setup_fn=status_setup,
        audit=lambda: proc_audit(sb, argv, env, sessions),
    )


def pane_trees(sb: Sandbox) -> tuple[set[int], int]:
    """The pids of every pane's process tree on our server, and how many processes the
    machine runs (`ps -e`)."""
    panes = sb.tmux_cmd("list-panes", "-a", "-F", "#{pane_pid}", check=False).stdout.split()
    listing = sb.run(["ps", "-e", "-o", "pid=,ppid="]).stdout.split("\n")
    kids: dict[int, list[int]] = {}
    total = 0
    for line in listing:
        if len(parts := line.split()) == 2:
            total += 1
            kids.setdefault(int(parts[1]), []).append(int(parts[0]))
    tree, todo = set(), [int(p) for p in panes if p.isdigit()]
    while todo:
        pid = todo.pop()
        if pid not in tree:
            tree.add(pid)
            todo += kids.get(pid, [])
    return tree, total


def proc_audit(sb: Sandbox, argv: list[str], env: dict, sessions: str) -> dict:
    """Untimed: runs the command once under `strace -f -e trace=openat` and tells which
    processes' /proc entries it opened, against the panes' process trees and against
    every process of the machine (resource figures must read only the processes that
    matter, never the whole system twice)."""
    row = {"command": show(argv), "sessions": sessions}
    strace = system_tool("strace", "strace", sb.install)
    if not strace:
        return {**row, "verdict": "skipped", "problem": "strace is not installed "
                "(apt-get install -y strace)"}
    trace = sb.root / "strace.txt"
    before, _ = pane_trees(sb)
    done = sb.run([strace, "-f", "-e", "trace=openat", "-o", str(trace), *argv],
                  check=False, env=env)
    after, total = pane_trees(sb)
    text = trace.read_text(errors="replace")
    traced = {int(m) for m in re.findall(r"^(\d+) ", text, re.M)}
    opened: set[int] = set()        # other processes' /proc entries (a tmux client
    stat_opens, stat_pids = 0, set()  # the command ran opens its own /proc/PID/fd)
    for m in re.finditer(r'openat\(AT_FDCWD, "/proc/(\d+)/([^"]*)"', text):
        if int(m.group(1)) in traced:
            continue
        opened.add(int(m.group(1)))
        if m.group(2) == "stat":
            stat_opens += 1
            stat_pids.add(int(m.group(1)))
    # A listing of /proc itself is a scan of every process.
    scans = len(re.findall(r'openat\(AT_FDCWD, "/proc/?", [^)]*O_DIRECTORY', text))
    tree = before | after
    outside = sorted(opened - tree)
    ok = done.returncode == 0 and not outside and not scans
    row.update({
        "exit": done.returncode,
        "proc_pids_opened": len(opened),
        "stat_opens": stat_opens,
        "stat_pids": len(stat_pids),
        "pane_tree_pids": len(tree),
        "ps_e_processes": total,
        "proc_dir_scans": scans,
        "outside_pane_trees": outside[:20],
        "outside_count": len(outside),
        "verdict": "PASS" if ok else "MISS",
    })
    if not ok:
        row["problem"] = (f"exit {done.returncode}" if done.returncode else
                          f"{len(outside)} pid(s) outside the panes' trees, {scans} scan(s) "
                          "of /proc")
    return row
