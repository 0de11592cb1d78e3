"""What a case is: the commands it times (`Side`), the rows it reports (`Compare`), and
the case itself with its setup and its untimed hooks (`Case`). `pair` makes the common
case of one thanos-tmux command against one reference."""

from __future__ import annotations

import dataclasses
import subprocess
from typing import Callable

from .common import show
from .sandbox import Sandbox


@dataclasses.dataclass
class Side:
    """One command timed in a case: one process, or several run one after another (their
    times summed)."""
    key: str
    runs: list[list[str]]
    desc: str = ""                  # as the reports show it; default: the command itself
    codes: set[int] = dataclasses.field(default_factory=lambda: {0})
    env: dict | None = None         # default: the sandbox's
    max_rounds: int | None = None   # a slow peer: at most this many timed rounds
    check: Callable[[subprocess.CompletedProcess], str | None] | None = None  # untimed
    make: Callable[[], list[list[str]]] | None = None  # runs built after the setup
    flaky: bool = False             # a peer known to fail now and then: a failed run is
    failures: list[str] = dataclasses.field(default_factory=list)  # noted and left out
    # Times itself instead of spawn-to-exit (a program on a pty, bench/lib/picker.py):
    # called with the environment and GNU time's path (the untimed check run; None when
    # timed), returns the run's samples in ms (one or several) and its peak RSS in KiB;
    # raises Broken when the program did not do what the case expects.
    timer: Callable[[dict, str | None], tuple[list[float], int | None]] | None = None

    def text(self) -> str:
        if self.desc:
            return self.desc
        if len(self.runs) == 1:
            return show(self.runs[0])
        return f"{len(self.runs)} calls: {show(self.runs[0])}; …"


@dataclasses.dataclass
class Compare:
    """A row of the report: the median of side `a` over the median of side `b`; with
    `base`, what each adds over the base side (a shell start), and the ratio of those;
    with `limit_ms`, `a`'s median (or p95) over that many ms (`b` names `a`'s
    reference for the columns, its median shown beside)."""
    a: str
    b: str
    ref_name: str
    budget: float | None            # max ratio; None: informative
    base: str | None = None
    strict: bool = False            # the ratio must stay below the budget
    name: str | None = None         # the row's name (default: the case's)
    limit_ms: float | None = None   # against an absolute budget: `a`'s figure over this
    stat: str = "median"            # with limit_ms: "median" or "p95" of `a`


@dataclasses.dataclass
class Case:
    name: str
    setup: str                      # key of sandbox.SETUPS, or names `setup_fn`; groups cases
    sides: list[Side]
    compares: list[Compare]
    sessions: str = ""              # the report's "sessions" column (default: setup)
    setup_fn: Callable[[Sandbox], None] | None = None
    prepare: Callable[[str], None] | None = None    # untimed, before each run (side key)
    post: Callable[[], str | None] | None = None    # untimed, after each run: a problem?
    max_rounds: int | None = None   # a heavy case: at most this many timed rounds
    max_warmup: int | None = None
    writes_state: bool = False      # the command writes the state file, by design
    scale: tuple[str, int] | None = None  # (operation, sessions): a point of the growth table
    verify_refs: bool = True        # False: the setup already built what the references do
    known_peaks: dict[str, int] = dataclasses.field(default_factory=dict)  # KiB, from the setup
    audit: Callable[[], dict] | None = None  # untimed, once after the timed rounds
    broken: dict[str, str] = dataclasses.field(default_factory=dict)  # side key -> why

    def side(self, key: str) -> Side:
        return next(s for s in self.sides if s.key == key)


def pair(name: str, setup: str, cmd: list[str], ref: list[str], ref_name: str,
         budget: float | None, codes: tuple[set[int], set[int]] = ({0}, {0}),
         check: Callable[[str], str | None] | None = None,
         scale: tuple[str, int] | None = None) -> Case:
    """The plain case: one thanos-tmux command against one reference."""
    return Case(
        name, setup,
        [Side("a", [cmd], codes=codes[0], check=(lambda p: check(p.stdout)) if check else None),
         Side("b", [ref], codes=codes[1])],
        [Compare("a", "b", ref_name, budget)],
        scale=scale,
    )
