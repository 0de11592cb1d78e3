"""The picker cases: `thanos-tmux pick` on a pseudo-terminal (its first frame, and the
redraw after a key) and `pick --list`, against the floor, absolute budgets, the peer
tms (tmux-sessionizer) and a `find` + `tmux list-sessions` pipeline.

Setups: a server of 1000 recorded sessions and git repositories (a folder holding
`.git/`) under the sandbox's HOME, 3 levels down (`~/src/gNNN/pNNNNN`), the picker's
default root and depth: 5000 of them (`pick6k`), then 4000 more (`pick10k`, 10,000
candidates). Each setup warms the folder cache with one `pick --list`."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Callable

from .common import Broken, note, show
from .model import Case, Compare, Side
from .pty import Pty, Screen
from .sandbox import Sandbox

PICK_SESSIONS = 1000
# `pick --list` is compared at a user's usual handful of sessions too: at 1000 the one
# tmux call (tmux formats every session; `tmux list-sessions` pays it as well) is most
# of both sides.
FEW_SESSIONS = 10
FOLDERS_FIRST, FOLDERS_MORE = 5000, 4000
DEPTH = 3
COLS, ROWS = 120, 40
FRAME_BUDGET_MS = 50.0
KEY_BUDGET_MS = 16.0
# What the keystroke case types after the scan is over, one key at a time: a query
# that keeps few folders, erased, then one that keeps sessions, erased (DEL is
# Backspace). Each key's redraw is one sample.
KEYS = [*"p1234", *["\x7f"] * 5, *"s12", *["\x7f"] * 3]
ESC = b"\x1b"


@dataclasses.dataclass
class World:
    """What a setup made: the entries `pick --list` lists (sessions and folders), and
    the folders alone."""
    total: int = 0
    folders: int = 0


def make_repos(src: Path, start: int, count: int) -> None:
    """`count` git repositories (a folder holding `.git/`), 100 a group:
    src/gNNN/pNNNNN, numbered from `start`."""
    for k in range(start, start + count):
        (src / f"g{k // 100:03d}" / f"p{k:05d}" / ".git").mkdir(parents=True, exist_ok=True)


def pick_setup(sb: Sandbox, world: World, folders: int, sessions: int = 0) -> None:
    sessions = sessions or PICK_SESSIONS
    sb.ensure_sessions(sessions)
    src = sb.home / "src"
    make_repos(src, 0, folders)
    # A run of the smaller setup after the larger one: the extra groups go.
    for group in sorted(src.glob("g*")):
        if int(group.name[1:]) * 100 >= folders:
            for repo in group.iterdir():
                (repo / ".git").rmdir()
                repo.rmdir()
            group.rmdir()
    # Warms the cache (the state folder's pick-folders: `--list` alone would answer
    # from an earlier setup's search) and counts the entries.
    sb.run([str(sb.binary), "pick", "--refresh"])
    done = sb.run([str(sb.binary), "pick", "--list"])
    kinds = [line.split("\t", 1)[0] for line in done.stdout.splitlines()]
    world.total, world.folders = len(kinds), kinds.count("folder")
    if world.folders != folders or kinds.count("live") != sessions:
        raise Broken(f"setup: `thanos-tmux pick --list` listed {kinds.count('live')} live "
                     f"sessions and {world.folders} folders; expected {sessions} and "
                     f"{folders}")


def peak_of(path: Path) -> int | None:
    words = path.read_text().split() if path.exists() else []
    return int(words[-1]) if words and words[-1].isdigit() else None


def on_pty(sb: Sandbox, argv: list[str], env: dict, time_bin: str | None) -> tuple[Pty, Path]:
    """argv on a fresh pty; under GNU time (its figure written to the returned path)
    when `time_bin` is given."""
    out = sb.root / "maxrss-pty"
    out.unlink(missing_ok=True)
    full = [time_bin, "-f", "%M", "-o", str(out), *argv] if time_bin else argv
    return Pty(full, env, sb.home, COLS, ROWS), out


def frame_done(total: int):
    """The first whole frame with every entry: the footer's last word written (the first
    frame is drawn) and the screen's top row ending in the count `total/total` (the
    cached folders, which come after the sessions, are in). Frames after the first
    write only what changed, so the screen is replayed to read the count."""
    count = f"{total}/{total}"

    def done(out: bytearray) -> bool:
        return b"leave" in out and Screen(COLS, ROWS).feed(bytes(out)).row(0).endswith(count)

    return done


def cursor_at(length: int) -> bytes:
    """How a thanos-tmux frame ends: the cursor shown and put after a query of
    `length` characters (row 1, column 3 + length)."""
    return b"\x1b[?25h\x1b[1;%dH" % (3 + length)


def check_first_frame(pty: Pty, total: int) -> None:
    screen = Screen(COLS, ROWS).feed(bytes(pty.out))
    top, bottom = screen.row(0), screen.row(ROWS - 1)
    if not top.startswith("›") or not top.endswith(f"{total}/{total}"):
        raise Broken(f"first frame: top row {top!r}, expected the prompt and {total}/{total}")
    if "enter go" not in bottom:
        raise Broken(f"first frame: bottom row {bottom!r}, expected the keys")


def ended(pty: Pty, what: str) -> None:
    pty.send(ESC)
    _, code = pty.wait_exit()
    if code != 0:
        raise Broken(f"{what} exited {code} after Esc")


def first_frame_timer(sb: Sandbox, world: World):
    """Spawn to the first whole frame of `thanos-tmux pick` (sessions and the cached
    folders), then Esc and its exit (untimed)."""
    argv = [str(sb.binary), "pick"]

    def timer(env: dict, time_bin: str | None) -> tuple[list[float], int | None]:
        pty, out = on_pty(sb, argv, env, time_bin)
        try:
            ms = pty.wait_for(frame_done(world.total), "first frame", pty.start)
            if time_bin:
                check_first_frame(pty, world.total)
            ended(pty, "thanos-tmux pick")
        finally:
            pty.kill()
        return [ms], peak_of(out) if time_bin else None

    return timer


def keystroke_timer(sb: Sandbox, world: World):
    """After the first frame and the end of the folder scan (it rewrites the cache,
    then redraws), each key of KEYS: from the key written to the end of its redraw
    (the cursor put after the new query: the last thing a frame writes)."""
    argv = [str(sb.binary), "pick"]
    cache = sb.state_dir / "pick-folders"

    def stamp() -> tuple | None:
        try:
            st = cache.stat()
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def timer(env: dict, time_bin: str | None) -> tuple[list[float], int | None]:
        before = stamp()
        pty, out = on_pty(sb, argv, env, time_bin)
        samples = []
        try:
            pty.wait_for(frame_done(world.total), "first frame", pty.start)
            pty.wait_for(lambda _b: stamp() != before, "end of the folder scan (the cache "
                         "rewritten)", pty.start, poll=0.005)
            pty.quiet(0.1)
            query = ""
            for key in KEYS:
                query = query[:-1] if key == "\x7f" else query + key
                sent = pty.send(key.encode())
                samples.append(pty.wait_for(lambda b, n=len(query): cursor_at(n) in b,
                                            f"redraw after {key!r}", sent))
                if time_bin:
                    check_redraw(pty, query, world.total)
            ended(pty, "thanos-tmux pick")
        finally:
            pty.kill()
        return samples, peak_of(out) if time_bin else None

    return timer


def check_redraw(pty: Pty, query: str, total: int) -> None:
    top = Screen(COLS, ROWS).feed(bytes(pty.out)).row(0)
    m = re.fullmatch(r"› (.*?) *(\d+)/(\d+)", top)
    if not m or m.group(1) != query or int(m.group(3)) != total:
        raise Broken(f"after typing {query!r}: top row {top!r}")
    shown = int(m.group(2))
    if (query == "" and shown != total) or (query == "p1234" and not 0 < shown < total):
        raise Broken(f"after typing {query!r}: {shown}/{total} shown")


def exit_timer(sb: Sandbox, argv: list[str]):
    """Spawn to reaped exit on the same kind of pty (the floor)."""
    def timer(env: dict, time_bin: str | None) -> tuple[list[float], int | None]:
        pty, out = on_pty(sb, argv, env, time_bin)
        try:
            ms, code = pty.wait_exit()
        finally:
            pty.kill()
        if code != 0:
            raise Broken(f"`{show(argv)}` exited {code}")
        return [ms], peak_of(out) if time_bin else None
    return timer


def tms_frame_timer(sb: Sandbox, world: World, tms: Path):
    """Spawn to tms's first whole frame (it scans before drawing: no cache), then Esc.
    Its frame ends as ratatui's do: the cursor shown and put on the prompt, after the
    count `matched/total` of its list. The count is what its matcher (nucleo, in
    threads) had after one tick of at most 10 ms: on a busy machine the first frame
    may show part of the folders (its next frame waits for a key), and it counts."""
    argv = [str(tms)]
    done = re.compile(rb"\d+/\d+.*\x1b\[\?25h\x1b\[\d+;\d+H", re.S)

    def timer(env: dict, time_bin: str | None) -> tuple[list[float], int | None]:
        pty, out = on_pty(sb, argv, env, time_bin)
        try:
            ms = pty.wait_for(lambda b: done.search(b) is not None, "first frame", pty.start)
            if time_bin:
                screen = Screen(COLS, ROWS).feed(bytes(pty.out))
                counts = [m.group(0) for y in range(ROWS)
                          if (m := re.match(r"\d+/\d+", screen.row(y)))]
                if counts != [f"{world.folders}/{world.folders}"]:
                    note(f"tms's first frame (check run) showed {counts or 'no count'}, not "
                         f"{world.folders}/{world.folders}")
            ended(pty, "tms")
        finally:
            pty.kill()
        return [ms], peak_of(out) if time_bin else None

    return timer


def tms_env(sb: Sandbox) -> dict:
    """tms's config (TMS_CONFIG_FILE): the same root and depth as the picker's, the
    sessions tmux has first (LastAttached: its picker asks tmux for them)."""
    path = sb.root / "tms.toml"
    path.write_text(f'session_sort_order = "LastAttached"\n\n[[search_dirs]]\n'
                    f'path = "{sb.home}"\ndepth = {DEPTH}\n')
    return {**sb.env, "TMS_CONFIG_FILE": str(path)}


def tms_list_argv(tms: Path) -> list[str]:
    """tms's one listing without a screen: the dynamic completion of `tms open-session`
    (clap_complete, COMPLETE=fish), which builds the same list as its picker
    (`create_sessions`: the repositories under search_dirs, and the bookmarks)."""
    return [str(tms), "--", str(tms), "open-session", ""]


def expect_count(n: int, what: str):
    def check(p) -> str | None:
        got = len(p.stdout.splitlines())
        return None if got == n else f"expected {n} {what}, got {got}"
    return check


def expect_repos(stdout: str, n: int) -> str | None:
    """tms's completion: one repository a line (its options, `--help`, besides)."""
    got = sum(1 for line in stdout.splitlines() if not line.startswith("-"))
    return None if got == n else f"expected {n} repositories, got {got}"


def pick_cases(sb: Sandbox, tms: Path | None, rounds: int) -> list[Case]:
    """The cases at 1000 sessions and 5000 folders: the first frame, `pick --list`; and
    `pick --list` at 10 sessions."""
    world, few = World(), World()
    t = str(sb.binary)
    sessions = f"{PICK_SESSIONS} + {FOLDERS_FIRST} folders"
    setup = lambda sb: pick_setup(sb, world, FOLDERS_FIRST)  # noqa: E731
    few_setup = lambda sb: pick_setup(sb, few, FOLDERS_FIRST, FEW_SESSIONS)  # noqa: E731
    frame_sides = [
        Side("a", [[t, "pick"]], desc=f"thanos-tmux pick, pty {COLS}×{ROWS}: spawn to the "
             "first whole frame (cache warm), then Esc", timer=first_frame_timer(sb, world)),
        Side("floor", [[str(sb.floor)]], desc="floor (do-nothing binary), same pty: spawn "
             "to exit", timer=exit_timer(sb, [str(sb.floor)])),
    ]
    frame_compares = [
        Compare("a", "floor", "floor (do-nothing binary)", None),
        Compare("a", "a", "", 1.0, name="  pick first frame ≤ 50 ms",
                limit_ms=FRAME_BUDGET_MS),
    ]
    if tms:
        frame_sides.append(Side(
            "tms", [[str(tms)]], env=tms_env(sb), max_rounds=max(5, rounds // 5),
            desc=f"tms, pty {COLS}×{ROWS}: spawn to its first whole frame, then Esc",
            timer=tms_frame_timer(sb, world, tms)))
        frame_compares.append(Compare("a", "tms", "tms first frame", None,
                                      name="  pick vs tms first frame"))
    return [
        Case("pick first frame", "pick6k", frame_sides, frame_compares, sessions=sessions,
             setup_fn=setup, max_rounds=max(5, rounds // 2)),
        list_case(sb, tms, rounds, world, "pick6k", setup, PICK_SESSIONS, budget=None),
        list_case(sb, tms, rounds, few, "pick-few", few_setup, FEW_SESSIONS, budget=0.1),
    ]


def list_case(sb: Sandbox, tms: Path | None, rounds: int, world: World, key: str,
              setup: Callable[[Sandbox], None], sessions: int,
              budget: float | None) -> Case:
    """`pick --list` (the folders of the last search, warm) against tms's list and
    find + tmux list-sessions, at `sessions` sessions and 5000 folders."""
    t = str(sb.binary)
    sides = [
        Side("a", [[t, "pick", "--list"]],
             check=lambda p: expect_count(world.total, "entries")(p)),
        Side("pipe", [["find", str(sb.home), "-maxdepth", str(DEPTH + 1), "-name", ".git",
                       "-type", "d", "-prune"],
                      ["tmux", "list-sessions"]],
             desc=f"find ~ -maxdepth {DEPTH + 1} -name .git -type d -prune; tmux list-sessions",
             check=lambda p: expect_count(sessions, "sessions")(p)),
    ]
    compares = [Compare("a", "pipe", "find + tmux list-sessions", budget,
                        name="  pick --list vs find + tmux ls")]
    if tms:
        env = {**tms_env(sb), "COMPLETE": "fish"}
        sides.append(Side(
            "tms", [tms_list_argv(tms)], env=env, max_rounds=max(5, rounds // 5),
            desc="COMPLETE=fish tms -- tms open-session '' (its list of repositories, "
                 "no screen; it asks tmux nothing)",
            check=lambda p: expect_repos(p.stdout, world.folders)))
        compares.insert(0, Compare("a", "tms", "tms (completion list)", budget))
    return Case("pick --list", key, sides, compares,
                sessions=f"{sessions} + {FOLDERS_FIRST} folders", setup_fn=setup,
                writes_state=True)


def keystroke_cases(sb: Sandbox, rounds: int) -> list[Case]:
    """At 1000 sessions and 9000 folders (10,000 candidates): each key's redraw."""
    world = World()
    return [Case(
        "pick keystroke", "pick10k",
        [Side("a", [[str(sb.binary), "pick"]],
              desc=f"thanos-tmux pick, pty {COLS}×{ROWS}: {len(KEYS)} keys after the scan "
                   "(p1234, erased, s12, erased), each to the end of its redraw",
              timer=keystroke_timer(sb, world))],
        [Compare("a", "a", "", 1.0, limit_ms=KEY_BUDGET_MS,
                 name="pick keystroke redraw (median)"),
         Compare("a", "a", "", 1.0, limit_ms=KEY_BUDGET_MS, stat="p95",
                 name="  pick keystroke redraw p95")],
        sessions=f"{PICK_SESSIONS} + {FOLDERS_FIRST + FOLDERS_MORE} folders",
        setup_fn=lambda sb: pick_setup(sb, world, FOLDERS_FIRST + FOLDERS_MORE),
        max_rounds=max(3, rounds // 5),
        writes_state=True,
    )]
