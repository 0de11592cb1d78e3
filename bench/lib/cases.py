"""The registry of cases. `CASES` holds one `Entry` per case name, in the order the cases
run: its builder gets the run's `Bench` and returns the case's `Case`s (one per server
size for the cases measured at several). Adding a case is writing a builder and adding
its entry; `--only` and `--list` take the names from here.

A builder runs only when its case is selected, so a peer is installed and a layout's
folders made only for a case that needs them. A builder that returns nothing skips its
case (a peer that cannot be had: a note says so)."""

from __future__ import annotations

import dataclasses
import json
from functools import partial
from typing import Callable

from .common import (MANY, MAX_BATCH_BYTES, MEASURED, PANES_FORMAT, SCALE, SESSION_COUNTS,
                     SESSIONS_FORMAT, die)
from .layouts import (Session, build_layout, call_per_session, call_per_window, check_live,
                      check_saved, make_layout, one_call, packed_calls, tmuxinator_yaml,
                      tmuxp_yaml, window_cmds)
from .model import Case, Compare, Side, pair
from .picker import keystroke_cases, pick_cases
from .sandbox import Sandbox
from .shells import SHELLS, shell_case
from .status import status_case
from .tools import Tools

# The layouts of save and restore: 20 sessions × 4 windows with one window of each
# session split once (100 panes), and one session of 3 windows.
BIG_SESSIONS, BIG_WINDOWS = 20, 4
SMALL_WINDOWS = 3
# tmux by name: the binary finds it on PATH as a user's raw call would.
TMUX = "tmux"


@dataclasses.dataclass
class Bench:
    """What a builder gets: the sandbox (binaries, folders, server), the peers, and the
    rounds of the run (heavy cases and slow peers take a fraction)."""
    sb: Sandbox
    tools: Tools
    rounds: int
    built: dict = dataclasses.field(default_factory=dict)  # cases built for several entries

    @property
    def thanos(self) -> str:
        return str(self.sb.binary)


@dataclasses.dataclass(frozen=True)
class Entry:
    name: str
    build: Callable[[Bench], list[Case]]


# ---------------------------------------------------------------------------------------
# No server: start-up cost against a do-nothing binary, shell start


def version(b: Bench) -> list[Case]:
    return [pair("--version", "none", [b.thanos, "--version"], [str(b.sb.floor)], "floor",
                 None)]


def init(b: Bench, shell: str) -> list[Case]:
    return [pair(f"init {shell}", "none", [b.thanos, "init", shell], [str(b.sb.floor)],
                 "floor (do-nothing binary)", 1.25,
                 check=lambda s: None if "__thanos_tmux" in s else "no snippet printed")]


def shell_start(b: Bench, shell: str) -> list[Case]:
    zoxide = b.tools.get("zoxide")
    return [shell_case(b.sb, b.tools, shell, zoxide)] if zoxide else []


# ---------------------------------------------------------------------------------------
# Servers of 1, 100, 500 and 1000 recorded sessions


def budget_at(count: int) -> float | None:
    """The budgets hold at 1 and 500 sessions; 100 and 1000 are points of the growth
    table (their ratios are shown, as information)."""
    return 1.5 if count in (1, MANY) else None


def least_wrapper(b: Bench, n: int) -> Case:
    """What a wrapper that starts tmux as a second process costs at least; thanos-tmux
    speaks to a running server's socket instead, no tmux process."""
    return pair("least wrapper", str(n), [str(b.sb.wrap), "list-sessions", "-F", "#{session_name}"],
                [TMUX, "list-sessions", "-F", "#{session_name}"], "tmux list-sessions -F name",
                None, check=lambda s: expect_lines(s, n))


def list_json(b: Bench, n: int) -> Case:
    return pair("list --json", str(n), [b.thanos, "list", "--json"],
                [TMUX, "list-sessions", "-F", SESSIONS_FORMAT], "tmux list-sessions -F <same>",
                budget_at(n), check=lambda s: expect_json_sessions(s, n),
                scale=("list --json", n))


def list_names(b: Bench, n: int) -> Case:
    return pair("list --names", str(n), [b.thanos, "list", "--names"],
                [TMUX, "list-sessions", "-F", "#{session_name}"], "tmux list-sessions -F name",
                budget_at(n), check=lambda s: expect_lines(s, n),
                scale=("list --names", n))


def attach_exists(b: Bench, n: int) -> Case:
    return pair("attach -d (exists)", str(n), [b.thanos, "attach", "--detached", MEASURED],
                [TMUX, "new-session", "-d", "-s", MEASURED], "tmux new-session (duplicate)",
                budget_at(n), codes=({0}, {1}), scale=("attach -d (exists)", n))


def at_every_count(make: Callable[[Bench, int], Case]) -> Callable[[Bench], list[Case]]:
    """A builder of one case per server size."""
    return lambda b: [make(b, n) for n in SESSION_COUNTS]


def tmuxp_ls(b: Bench) -> list[Case]:
    """`thanos-tmux list` against `tmuxp ls`, for information: tmuxp ls lists workspace
    files (one here, in ~/.tmuxp), not sessions, and asks tmux nothing; both are what
    the user types to see what they can open."""
    tmuxp = b.tools.get("tmuxp")
    if not tmuxp:
        return []
    folder = b.sb.home / ".tmuxp"
    folder.mkdir(exist_ok=True)
    (folder / "bench.yaml").write_text(
        "session_name: bench\nwindows:\n  - window_name: w1\n    panes:\n"
        "      - shell_command: []\n")
    return [Case(
        "list vs tmuxp ls", "1",
        [Side("a", [[b.thanos, "list"]], check=lambda p: None if MEASURED in p.stdout
              else "the session is not listed"),
         Side("tmuxp", [[str(tmuxp), "ls"]], env={**b.sb.env, "TMUXP_PROGRESS": "0"},
              max_rounds=max(5, b.rounds // 5),
              check=lambda p: None if "bench" in p.stdout else "tmuxp ls did not list bench")],
        [Compare("a", "tmuxp", "tmuxp ls (workspace files)", None)],
    )]


def expect_json_sessions(stdout: str, n: int) -> str | None:
    try:
        rows = json.loads(stdout)
    except ValueError as e:
        return f"not JSON: {e}"
    live = [r for r in rows if r.get("alive")]
    if len(live) != n or not all(r.get("managed") for r in live):
        return f"expected {n} live managed sessions, got {len(live)} of {len(rows)}"
    return None


def expect_lines(stdout: str, n: int) -> str | None:
    got = len(stdout.splitlines())
    return None if got == n else f"expected {n} lines, got {got}"


# ---------------------------------------------------------------------------------------
# Save and restore


def big_layout(b: Bench) -> list[Session]:
    return make_layout(b.sb.root / "dirs", "r", BIG_SESSIONS, BIG_WINDOWS, split=True)


def save(b: Bench) -> list[Case]:
    layout = big_layout(b)
    return [Case(
        "save (100 panes)", "live100",
        [Side("a", [[b.thanos, "save"]], check=lambda _p: check_saved(b.sb, layout)),
         Side("b", [[TMUX, "list-panes", "-a", "-F", PANES_FORMAT]])],
        [Compare("a", "b", "tmux list-panes -a -F <same>", 2.0)],
        sessions=f"{BIG_SESSIONS}×{BIG_WINDOWS}, 100 panes",
        setup_fn=lambda sb: build_layout(sb, layout, keep_live=True),
        writes_state=True,
    )]


def restore_all(b: Bench) -> list[Case]:
    """`restore --all` of the 100 panes onto a killed server, against the one raw tmux
    call building them; one raw call per session and per window, for information."""
    sb, layout = b.sb, big_layout(b)
    panes = sum(len(w.dirs) for s in layout for w in s.windows)
    windows = sum(len(s.windows) for s in layout)
    cmds = sum(len(window_cmds(s, k, w)) for s in layout for k, w in enumerate(s.windows))
    return [Case(
        "restore --all (100 panes)", "restore100",
        [
            Side("thanos", [[b.thanos, "restore", "--all"]]),
            Side("one", [], make=lambda: one_call(layout),
                 desc=f"tmux new-session -d -s r01 -n w1 -c DIR ';' split-window -t =r01:=w1 -c DIR "
                      f"';' select-layout -t =r01:=w1 L ';' new-window -t =r01: -n w2 -c "
                      f"DIR ';' … ({cmds} commands, {panes} panes, one call)"),
            Side("per-session", [], make=lambda: call_per_session(layout),
                 desc=f"{len(layout)} tmux calls, one per session (same commands)"),
            Side("per-window", [], make=lambda: call_per_window(layout),
                 desc=f"{windows} tmux calls, one per window (same commands)"),
        ],
        [
            Compare("thanos", "one", "one raw tmux call", 1.15),
            Compare("per-session", "one", "one raw tmux call", None,
                    name="  raw call per session"),
            Compare("per-window", "one", "one raw tmux call", None,
                    name="  raw call per window"),
        ],
        sessions=f"{BIG_SESSIONS}×{BIG_WINDOWS}, {panes} panes",
        setup_fn=lambda sb: build_layout(sb, layout, keep_live=False),
        prepare=lambda _key: sb.kill_server(),
        post=lambda: check_live(sb, layout),
        max_rounds=max(2, b.rounds // 5),
        max_warmup=1,
        writes_state=True,
    )]


def restore_small(b: Bench) -> list[Case]:
    """`restore` of one session of 3 windows, against the one raw tmux call, and the
    peers loading the same layout (tmuxp, tmuxinator; a tenth of the rounds)."""
    sb = b.sb
    layout = make_layout(sb.root / "dirs", "t", 1, SMALL_WINDOWS, split=False)
    session = layout[0]
    peer_rounds = max(2, b.rounds // 10)
    sides = [
        Side("thanos", [[b.thanos, "restore", session.name]]),
        Side("one", [], make=lambda: one_call(layout)),
    ]
    compares = [Compare("thanos", "one", "one raw tmux call", 1.3)]
    if tmuxp := b.tools.get("tmuxp"):
        path = sb.root / "tmuxp.yaml"
        path.write_text(tmuxp_yaml(session))
        env = {**sb.env, "TMUXP_PROGRESS": "0"}
        sides.append(Side("tmuxp", [[str(tmuxp), "load", "-d", "-S", str(sb.socket), str(path)]],
                          env=env, max_rounds=peer_rounds, flaky=True))
        compares.append(Compare("thanos", "tmuxp", "tmuxp load -d", 0.1))
    if tmuxinator := b.tools.get("tmuxinator"):
        path = sb.root / "tmuxinator.yml"
        path.write_text(tmuxinator_yaml(session, sb.socket))
        sides.append(Side("tmuxinator",
                          [[str(tmuxinator), "start", "-p", str(path), "--no-attach"]],
                          max_rounds=peer_rounds, flaky=True))
        compares.append(Compare("thanos", "tmuxinator", "tmuxinator start --no-attach", 0.1))
    return [Case(
        "restore (3 windows)", "restore3", sides, compares,
        sessions=f"1×{SMALL_WINDOWS}",
        setup_fn=lambda sb: build_layout(sb, layout, keep_live=False),
        prepare=lambda _key: sb.kill_server(),
        post=lambda: check_live(sb, layout),
        max_rounds=max(2, b.rounds // 2),
        writes_state=True,
    )]


def restore_scale(b: Bench, n: int) -> Case:
    """`restore --all` of n recorded one-window sessions (each in its own folder) onto a
    killed server, against the raw tmux calls building the same sessions, cut where
    thanos-tmux cuts its restore (`Batch::pack`)."""
    sb = b.sb
    layout = make_layout(sb.root / "dirs", "g", n, 1, split=False)
    calls = packed_calls(layout)
    # A restore of 1000 sessions takes seconds and so does the kill after it: 2 rounds,
    # no warm-up (the check run before them is one), the reference checked by the setup.
    heavy = {1: (max(2, b.rounds // 2), None), 100: (max(2, b.rounds // 5), 1),
             1000: (2, 0)}
    max_rounds, max_warmup = heavy.get(n, (2, 0))

    def setup(sb: Sandbox) -> None:
        if (kib := build_layout(sb, layout, keep_live=False)) is not None:
            case.known_peaks["raw"] = kib

    def prepare(_key: str) -> None:
        # Without thanos-tmux's hooks, the kill fires none (see Sandbox.unhook).
        sb.unhook()
        sb.kill_server()

    case = Case(
        "restore --all (N×1 window)", f"restoreN{n}",
        [Side("thanos", [[b.thanos, "restore", "--all"]]),
         Side("raw", calls, desc=(
             f"tmux new-session -d -s NAME -n w1 -c DIR ';' … per session, cut into calls under "
             f"{MAX_BATCH_BYTES} bytes as thanos-tmux cuts ({n} sessions: {len(calls)} "
             f"call{'s' if len(calls) > 1 else ''})"))],
        [Compare("thanos", "raw", "raw tmux call(s), same cut", None)],
        sessions=f"{n}×1",
        setup_fn=setup,
        prepare=prepare,
        post=lambda: check_live(sb, layout),
        max_rounds=max_rounds,
        max_warmup=max_warmup,
        writes_state=True,
        scale=("restore --all", n),
        verify_refs=n < 1000,
    )
    return case


# ---------------------------------------------------------------------------------------
# The picker (bench/lib/picker.py): 1000 sessions and 5000 git repositories, then 9000


def pick(b: Bench, name: str) -> list[Case]:
    """One of the cases of the 5000-folder setup (built once: they share its counts)."""
    if "pick" not in b.built:
        b.built["pick"] = pick_cases(b.sb, b.tools.get("tms"), b.rounds)
    return [c for c in b.built["pick"] if c.name == name]


# ---------------------------------------------------------------------------------------
# The registry, in the order the cases run (the cases of one setup run together, in the
# order their setups first appear here)

CASES: list[Entry] = [
    Entry("--version", version),
    *(Entry(f"init {shell}", partial(init, shell=shell)) for shell in SHELLS),
    *(Entry(f"shell start {shell}", partial(shell_start, shell=shell)) for shell in SHELLS),
    Entry("least wrapper", at_every_count(least_wrapper)),
    Entry("list --json", at_every_count(list_json)),
    Entry("list --names", at_every_count(list_names)),
    Entry("attach -d (exists)", at_every_count(attach_exists)),
    Entry("list vs tmuxp ls", tmuxp_ls),
    Entry("save (100 panes)", save),
    Entry("restore --all (100 panes)", restore_all),
    Entry("restore (3 windows)", restore_small),
    Entry("restore --all (N×1 window)", lambda b: [restore_scale(b, n) for n in SCALE]),
    Entry("status --json", lambda b: [status_case(b.sb, "status --json")]),
    Entry("daemons status --json", lambda b: [status_case(b.sb, "daemons status --json")]),
    Entry("pick first frame", partial(pick, name="pick first frame")),
    Entry("pick --list", partial(pick, name="pick --list")),
    Entry("pick keystroke", lambda b: keystroke_cases(b.sb, b.rounds)),
]

CASE_NAMES = [e.name for e in CASES]


def selector(text: str | None) -> Callable[[str], bool]:
    """`--only a,b`: a case whose name is a token, or starts with a token and a space
    (`init` is every `init SHELL`, `restore` both restores), case-insensitive."""
    if not text:
        return lambda _name: True
    tokens = [t.strip().lower() for t in text.split(",") if t.strip()]

    def match(name: str, token: str) -> bool:
        name = name.lower()
        return name == token or name.startswith(token + " ")

    unknown = [t for t in tokens if not any(match(n, t) for n in CASE_NAMES)]
    if unknown:
        die(f"--only: no case named {', '.join(unknown)}; cases: {', '.join(CASE_NAMES)}")
    return lambda name: any(match(name, t) for t in tokens)


def build_cases(b: Bench, want: Callable[[str], bool]) -> list[Case]:
    """The selected cases, grouped by setup: the cases of one setup run together, the
    setups in the order they first appear."""
    built = [c for e in CASES if want(e.name) for c in e.build(b)]
    order = list(dict.fromkeys(c.setup for c in built))
    return sorted(built, key=lambda c: order.index(c.setup))
