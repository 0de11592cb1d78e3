"""Layouts for save and restore: sessions of named windows, each pane in its own folder;
the raw tmux calls that build them (in one call, per session, per window, or cut as
thanos-tmux cuts a restore), the checks that tmux or the state file holds exactly a
layout, and the workspace files of the peers (tmuxp, tmuxinator) for the same layout."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

from .common import MAX_BATCH_ARGS, MAX_BATCH_BYTES, Broken, die, show
from .sandbox import LAYOUT, Sandbox


@dataclasses.dataclass
class Window:
    name: str
    dirs: list[str]          # one folder per pane, the first is the window's
    layout: str = ""         # tmux's layout string, learnt from the first build


@dataclasses.dataclass
class Session:
    name: str
    windows: list[Window]


def make_layout(base: Path, prefix: str, sessions: int, windows: int, split: bool) -> list[Session]:
    """Sessions PREFIX01... of windows w1..wN; with `split`, window ((i-1) mod N)+1 of
    session i has a second pane. Makes every pane's folder."""
    out = []
    for i in range(1, sessions + 1):
        name = f"{prefix}{i:02d}"
        wins = []
        for w in range(1, windows + 1):
            panes = 2 if split and w - 1 == (i - 1) % windows else 1
            dirs = []
            for p in range(1, panes + 1):
                d = base / f"{name}-w{w}-p{p}"
                d.mkdir(parents=True, exist_ok=True)
                dirs.append(str(d))
            wins.append(Window(f"w{w}", dirs))
        out.append(Session(name, wins))
    return out


def window_cmds(s: Session, k: int, w: Window) -> list[list[str]]:
    """The tmux commands that make window k of session s with its panes. Every command
    names its target: after a second `new-session -d` in one call, an untargeted
    `new-window` goes to the first session (tmux 3.3a), not to the one just made."""
    here = f"={s.name}:={w.name}"
    if k == 0:
        cmds = [["new-session", "-d", "-s", s.name, "-n", w.name, "-c", w.dirs[0]]]
    else:
        cmds = [["new-window", "-t", f"={s.name}:", "-n", w.name, "-c", w.dirs[0]]]
    cmds += [["split-window", "-t", here, "-c", d] for d in w.dirs[1:]]
    if len(w.dirs) > 1 and w.layout:
        cmds.append(["select-layout", "-t", here, w.layout])
    return cmds


def chain(cmds: list[list[str]]) -> list[str]:
    """One tmux argv running the commands in order (`;` between them)."""
    out: list[str] = ["tmux"]
    for c in cmds:
        out += ([";"] if len(out) > 1 else []) + c
    return out


def one_call(layout: list[Session]) -> list[list[str]]:
    return [chain([c for s in layout for k, w in enumerate(s.windows)
                   for c in window_cmds(s, k, w)])]


def pack(cmds: list[list[str]], limit: int) -> list[list[str]]:
    """The commands in as few tmux calls as fit `limit` bytes and `MAX_BATCH_ARGS`
    arguments, cut between two commands as thanos-tmux's restore cuts (`Batch::pack`)."""
    calls: list[list[list[str]]] = []
    size = 0
    args = 0
    for c in cmds:
        c_size = sum(len(a.encode()) + 1 for a in c)
        too_big = size + c_size > limit or args + 1 + len(c) > MAX_BATCH_ARGS
        if calls and calls[-1] and too_big:
            calls.append([])
            size = 0
            args = 0
        if not calls:
            calls.append([])
        size += c_size + (2 if calls[-1] else 0)
        args += len(c) + (1 if calls[-1] else 0)
        calls[-1].append(c)
    return [chain(call) for call in calls]


def packed_calls(layout: list[Session]) -> list[list[str]]:
    return pack([c for s in layout for k, w in enumerate(s.windows) for c in window_cmds(s, k, w)],
                MAX_BATCH_BYTES)


def call_per_session(layout: list[Session]) -> list[list[str]]:
    return [chain([c for k, w in enumerate(s.windows) for c in window_cmds(s, k, w)])
            for s in layout]


def call_per_window(layout: list[Session]) -> list[list[str]]:
    return [chain(window_cmds(s, k, w)) for s in layout for k, w in enumerate(s.windows)]


def expected_panes(layout: list[Session]) -> list[str]:
    return sorted(f"{s.name}\t{w.name}\t{d}" for s in layout for w in s.windows for d in w.dirs)


def check_live(sb: Sandbox, layout: list[Session]) -> str | None:
    """The server holds exactly the layout: sessions, window names, one pane per folder.
    A pane's folder is read from its foreground process, which a pane made a moment ago
    may not have set up yet: a mismatch is asked again for up to a second."""
    want = expected_panes(layout)
    deadline = time.monotonic() + 1.0
    while True:
        done = sb.tmux_cmd(
            "list-panes", "-a", "-F", "#{session_name}\t#{window_name}\t#{pane_current_path}",
            check=False,
        )
        got = sorted(done.stdout.splitlines()) if done.returncode == 0 else []
        if got == want or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    if got == want:
        return None
    sessions = len({line.split("\t")[0] for line in got})
    missing = sorted(set(want) - set(got))[:2]
    return (f"expected {len(layout)} sessions / {len(want)} panes, tmux has {sessions} / "
            f"{len(got)}" + (f"; missing e.g. {missing}" if missing else ""))


def check_saved(sb: Sandbox, layout: list[Session]) -> str | None:
    """The state file records exactly the layout's sessions, windows and pane folders."""
    try:
        doc = json.loads(sb.state_file.read_text())
    except (OSError, ValueError) as e:
        return f"state file unreadable: {e}"
    got = sorted(
        f"{name}\t{w['name']}\t{p['cwd']}"
        for server in doc.get("servers", {}).values()
        for name, rec in server.get("sessions", {}).items()
        for w in (rec.get("layout") or {}).get("windows", [])
        for p in w.get("panes", [])
    )
    want = expected_panes(layout)
    if got != want:
        return f"state file records {len(got)} panes, expected {len(want)} of the layout"
    return None


def build_layout(sb: Sandbox, layout: list[Session], keep_live: bool) -> int | None:
    """From nothing: builds the layout with raw tmux calls (one, unless it is too long),
    learns its window layouts (the references then select them as thanos-tmux's restore
    does), records it with `thanos-tmux save`, and kills the server unless `keep_live`.
    Returns the peak RSS (KiB) of the raw calls, when GNU time is there."""
    sb.kill_server()
    sb.reset_state()
    peak = None
    for call in packed_calls(layout):
        done, kib = sb.run_peak(call)
        if done.returncode != 0:
            die(f"`{show(call)[:200]}` exited {done.returncode}: {done.stderr.strip()[:300]}")
        peak = max(peak or 0, kib) if kib is not None else peak
    sb.sessions = LAYOUT
    if problem := check_live(sb, layout):
        die(f"building the layout with raw tmux calls: {problem}")
    listed = sb.tmux_cmd(
        "list-windows", "-a", "-F", "#{session_name}\t#{window_name}\t#{window_layout}"
    ).stdout
    layouts = {tuple(line.split("\t")[:2]): line.split("\t")[2] for line in listed.splitlines()}
    for s in layout:
        for w in s.windows:
            if len(w.dirs) > 1:
                w.layout = layouts[(s.name, w.name)]
    done = sb.run([str(sb.binary), "save"], check=False)
    if done.returncode != 0:
        raise Broken(f"setup: `thanos-tmux save` exited {done.returncode}: {done.stderr.strip()}")
    if problem := check_saved(sb, layout):
        raise Broken(f"setup: after `thanos-tmux save`: {problem}")
    if not keep_live:
        sb.kill_server()
    return peak


def tmuxp_yaml(s: Session) -> str:
    lines = [f"session_name: {s.name}", "windows:"]
    for w in s.windows:
        lines += [f"  - window_name: {w.name}", f"    start_directory: {w.dirs[0]}",
                  "    panes:"]
        lines += [f"      - shell_command: []\n        start_directory: {d}" for d in w.dirs]
    return "\n".join(lines) + "\n"


def tmuxinator_yaml(s: Session, socket: Path) -> str:
    lines = [f"name: {s.name}", f"root: {s.windows[0].dirs[0]}", f"socket_path: {socket}",
             "windows:"]
    for w in s.windows:
        lines += [f"  - {w.name}:", f"      root: {w.dirs[0]}", "      panes:"]
        lines += ["        -" for _ in w.dirs]
    return "\n".join(lines) + "\n"
