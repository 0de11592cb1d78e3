"""The shell-start cases: a shell starting inside tmux, bare, with thanos-tmux's snippet,
and with zoxide's; what each snippet adds to the bare start is compared."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .common import note
from .model import Case, Compare, Side
from .sandbox import Sandbox
from .tools import Tools

# What the shell-start cases put in $TMUX, so that the snippet's guard skips attaching.
DUMMY_TMUX = "/tmp/x,1,0"
SHELLS = ("zsh", "bash", "fish")


def shell_case(sb: Sandbox, tools: Tools, shell: str, zoxide: Path) -> Case:
    """A shell start inside tmux ($TMUX set, so the snippet's guard skips attaching):
    bare, with our snippet, with zoxide's. Non-interactive (`SHELL -c exit`), the same for
    all three shells: without a terminal `bash -i` prints job-control warnings. The rc is
    what each shell reads then: zsh $ZDOTDIR/.zshenv, bash $BASH_ENV, fish config.fish."""
    base = sb.root / "shells"
    bindir = base / "bin"
    bindir.mkdir(parents=True, exist_ok=True)
    for name, target in (("thanos-tmux", sb.binary), ("zoxide", zoxide)):
        link = bindir / name
        if not link.exists():
            link.symlink_to(target)
    common = {**sb.env, "TMUX": DUMMY_TMUX, "PATH": f"{bindir}:{sb.env.get('PATH', '')}"}
    lines = {
        "bare": "",
        "thanos": (f"thanos-tmux init {shell} | source" if shell == "fish"
                   else f'eval "$(thanos-tmux init {shell})"'),
        "zoxide": (f"zoxide init {shell} | source" if shell == "fish"
                   else f'eval "$(zoxide init {shell})"'),
    }
    probes = {"thanos": "__thanos_tmux_start", "zoxide": "__zoxide_z"}
    sides = []
    for key, line in lines.items():
        folder = base / shell / key
        if shell == "zsh":
            rc, env = folder / ".zshenv", {"ZDOTDIR": str(folder)}
        elif shell == "bash":
            rc, env = folder / "rc.bash", {"BASH_ENV": str(folder / "rc.bash")}
        else:
            rc, env = folder / "fish" / "config.fish", {"XDG_CONFIG_HOME": str(folder)}
        rc.parent.mkdir(parents=True, exist_ok=True)
        rc.write_text(line + "\n" if line else "")
        env = {**common, **env}
        rc_name = {"zsh": ".zshenv", "bash": "$BASH_ENV", "fish": "config.fish"}[shell]
        desc = f"{shell} -c exit" + (f", {rc_name}: {line}" if line else f", {rc_name} empty")
        sides.append(Side(
            key, [[shell, "-c", "exit"]], desc=desc, env=env,
            check=lambda p, s=shell, k=key, e=env, d=desc: shell_check(
                sb, tools, s, d, e, probes.get(k), p),
        ))
    return Case(
        f"shell start {shell}", "none", sides,
        [Compare("thanos", "zoxide", "zoxide's snippet", 1.0, base="bare", strict=True)],
    )


def shell_check(sb: Sandbox, tools: Tools, shell: str, desc: str, env: dict,
                probe: str | None, done: subprocess.CompletedProcess) -> str | None:
    """The snippet was really loaded (its function defined). A start that prints to
    stderr is a defect of the snippet, not of the harness: it is timed and noted."""
    if done.stderr.strip():
        message = f"{desc}: printed to stderr: {done.stderr.strip()[:200]}"
        if message not in tools.notes:
            tools.notes.append(message)
            note(message)
    if probe is None:
        return None
    test = (f"functions -q {probe}; and echo ok" if shell == "fish"
            else f"typeset -f {probe} >/dev/null && echo ok")
    got = sb.run([shell, "-c", test], check=False, env=env)
    return None if got.stdout.strip() == "ok" else f"{desc}: {probe} not defined after the rc"
