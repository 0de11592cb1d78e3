"""The release build of thanos-tmux and of the floors it is compared with."""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

from .common import BENCH, ROOT, die, note

FLOOR_MANIFEST = BENCH / "floor" / "Cargo.toml"
FLOOR_TARGET = ROOT / "target" / "bench-floor"


def build(no_build: bool) -> tuple[Path, Path, Path]:
    """thanos-tmux, the do-nothing floor and the least wrapper around tmux, built in
    release (unless `no_build`) with the same [profile.release]."""
    binary = ROOT / "target" / "release" / "thanos-tmux"
    floor = FLOOR_TARGET / "release" / "thanos-bench-floor"
    wrap = FLOOR_TARGET / "release" / "wrap"
    if not no_build:
        note("building thanos-tmux (release)")
        run_or_die(["cargo", "build", "--release", "--quiet"])
        note("building the floors (do-nothing and least-wrapper binaries, same profile)")
        run_or_die([
            "cargo", "build", "--release", "--quiet",
            "--manifest-path", str(FLOOR_MANIFEST),
            "--target-dir", str(FLOOR_TARGET),
        ])
    for path in (binary, floor, wrap):
        if not os.access(path, os.X_OK):
            die(f"{path} is missing; run without --no-build")
    check_same_profile()
    return binary, floor, wrap


def run_or_die(argv: list[str]) -> None:
    done = subprocess.run(argv, cwd=ROOT)
    if done.returncode != 0:
        die(f"`{' '.join(argv)}` failed (exit {done.returncode})")


def check_same_profile() -> None:
    """The floor is only a floor when it is linked the way the product is."""
    def profile(path: Path) -> dict:
        with open(path, "rb") as f:
            return tomllib.load(f).get("profile", {}).get("release", {})

    ours, floor = profile(ROOT / "Cargo.toml"), profile(FLOOR_MANIFEST)
    if ours != floor:
        die(
            f"bench/floor/Cargo.toml [profile.release] {floor} differs from the project's "
            f"{ours}: make them equal"
        )
