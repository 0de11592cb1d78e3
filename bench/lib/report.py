"""The report: each comparison's medians, p90s and ratio against its budget; the growth
of cost with sessions, peak memory and /proc reads tables; printed as text and written
to bench/results*.md and .json."""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics

from .common import (BENCH, DAEMON_COMMAND, MEMORY_BUDGET_KIB, SCALE, SESSION_COUNTS,
                     STATUS_DAEMONS, STATUS_SESSIONS)
from .model import Case, Compare
from .sandbox import Sandbox
from .tools import Tools

# A growth is "linear or better" when the cost per session from 100 to 1000 sessions is
# at most this many times the cost per session from 1 to 100 (plus SLOPE_SLACK_MS per
# session, so that a flat cost measured with noise is not called superlinear).
SLOPE_TOLERANCE = 1.25
SLOPE_SLACK_MS = 0.002


def p90(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=10, method="inclusive")[-1] if len(xs) > 1 else xs[0]


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20, method="inclusive")[-1] if len(xs) > 1 else xs[0]


def identity(case: Case, cmp: Compare) -> dict:
    """The fields that say which comparison a row is."""
    return {
        "case": cmp.name or case.name,
        "sessions": case.sessions or ("-" if case.setup == "none" else case.setup),
        "command": case.side(cmp.a).text(),
        "reference": cmp.ref_name,
        "reference_command": case.side(cmp.b).text(),
    }


def summarize(case: Case, cmp: Compare, samples: dict[tuple, list]) -> dict:
    a, b = samples[(id(case), cmp.a)], samples[(id(case), cmp.b)]
    med_a, med_b = statistics.median(a), statistics.median(b)
    row = {
        **identity(case, cmp),
        "rounds": len(a),
        "ref_rounds": len(b),
        "median_ms": round(med_a, 3),
        "p90_ms": round(p90(a), 3),
        "min_ms": round(min(a), 3),
        "ref_median_ms": round(med_b, 3),
        "ref_p90_ms": round(p90(b), 3),
        "ref_min_ms": round(min(b), 3),
        "p95_ms": round(p95(a), 3),
    }
    if cmp.limit_ms is not None:
        # An absolute budget: a's median (or p95) over it; the reference columns show
        # the budget itself.
        figure = med_a if cmp.stat == "median" else p95(a)
        row.update({
            "reference": f"{cmp.limit_ms:g} ms budget" + (
                f" ({cmp.stat} {figure:.2f} ms)" if cmp.stat != "median" else ""),
            "reference_command": f"{cmp.limit_ms:g} ms",
            "ref_median_ms": cmp.limit_ms, "ref_p90_ms": None, "ref_min_ms": None,
            "ref_rounds": len(a), "limit_ms": cmp.limit_ms, "stat": cmp.stat,
        })
    if cmp.base:
        base = samples[(id(case), cmp.base)]
        med_base = statistics.median(base)
        added, ref_added = med_a - med_base, med_b - med_base
        ratio = added / ref_added if ref_added > 0 else float("inf")
        row.update({
            "base_command": case.side(cmp.base).text(),
            "base_median_ms": round(med_base, 3),
            "base_p90_ms": round(p90(base), 3),
            "added_ms": round(added, 3),
            "ref_added_ms": round(ref_added, 3),
        })
    elif cmp.limit_ms is not None:
        ratio = figure / cmp.limit_ms
    else:
        ratio = med_a / med_b
    if cmp.budget is None:
        verdict = "info"
    else:
        ok = ratio < cmp.budget if cmp.strict else ratio <= cmp.budget
        verdict = "PASS" if ok else "MISS"
    row.update({"ratio": round(ratio, 3), "budget": cmp.budget, "budget_strict": cmp.strict,
                "verdict": verdict})
    if case.scale and cmp is case.compares[0]:
        row["scale"] = {"op": case.scale[0], "sessions": case.scale[1]}
    return row


def broken_row(case: Case, cmp: Compare, reason: str) -> dict:
    row = {
        **identity(case, cmp),
        "rounds": 0, "ref_rounds": 0,
        "ratio": None, "budget": cmp.budget, "budget_strict": cmp.strict,
        "verdict": "BROKEN", "problem": reason,
    }
    for key in ("median_ms", "p90_ms", "min_ms", "ref_median_ms", "ref_p90_ms", "ref_min_ms"):
        row[key] = None
    if cmp.base:
        row.update({"base_command": case.side(cmp.base).text(), "base_median_ms": None,
                    "added_ms": None, "ref_added_ms": None})
    return row


COLUMNS = [
    ("case", "case", "<"), ("sessions", "sessions", ">"), ("median ms", "median_ms", ">"),
    ("p90 ms", "p90_ms", ">"), ("reference", "reference", "<"),
    ("ref median ms", "ref_median_ms", ">"), ("ratio", "ratio", ">"),
    ("budget", "budget", ">"), ("rounds", "rounds", ">"), ("", "verdict", "<"),
]
ADDED_COLUMNS = [
    ("shell start, inside tmux", "case", "<"), ("bare ms", "base_median_ms", ">"),
    ("thanos ms", "median_ms", ">"), ("+thanos ms", "added_ms", ">"),
    ("zoxide ms", "ref_median_ms", ">"), ("+zoxide ms", "ref_added_ms", ">"),
    ("ratio of +", "ratio", ">"), ("budget", "budget", ">"), ("rounds", "rounds", ">"),
    ("", "verdict", "<"),
]


def cell(row: dict, key: str) -> str:
    value = row[key]
    if value is None and key != "budget":
        return "-"
    if key == "budget":
        if value is None:
            return "-"
        return f"<{value:g}×" if row.get("budget_strict") else f"≤{value:g}×"
    if key == "ratio":
        return f"{value:.2f}×"
    if key == "rounds":
        return str(value) if row["ref_rounds"] == value else f"{value}/{row['ref_rounds']}"
    if key.endswith("_ms"):
        return f"{value:+.2f}" if key in ("added_ms", "ref_added_ms") else f"{value:.2f}"
    return str(value)


def text_table(rows: list[dict], columns: list) -> str:
    grid = [[h for h, _, _ in columns]] + [[cell(r, k) for _, k, _ in columns] for r in rows]
    widths = [max(len(line[i]) for line in grid) for i in range(len(columns))]
    lines = []
    for line in grid:
        parts = [
            f"{v:{a}{w}}" for v, w, (_, _, a) in zip(line, widths, columns)
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def markdown_table(rows: list[dict], columns: list) -> str:
    head = "| " + " | ".join(h or "verdict" for h, _, _ in columns) + " |"
    align = "|" + "|".join("---:" if a == ">" else "---" for _, _, a in columns) + "|"
    body = ["| " + " | ".join(cell(r, k) for _, k, _ in columns) + " |" for r in rows]
    return "\n".join([head, align, *body])


def split_rows(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    return [r for r in rows if "added_ms" not in r], [r for r in rows if "added_ms" in r]


def machine(sb: Sandbox) -> dict:
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "tmux": sb.run([sb.tmux, "-V"]).stdout.strip(),
        "uname": f"{platform.system()} {platform.machine()}",
        "nproc": os.cpu_count(),
        "thanos_tmux": sb.run([str(sb.binary), "--version"]).stdout.strip(),
    }


def peer_versions(sb: Sandbox, tools: Tools) -> dict:
    """Versions of the peers that took part (looked up only when already found)."""
    out = {}
    for name, flag in (("zoxide", "--version"), ("tmuxp", "--version"),
                       ("tmuxinator", "version"), ("tms", "--version")):
        path = tools.found.get(name)
        if path:
            done = sb.run([str(path), flag], check=False)
            lines = (done.stdout or done.stderr).strip().splitlines()
            first = lines[0] if lines else "?"
            out[name] = first[len(name):].strip() if first.startswith(name) else first
    return out


def grid(headers: list[str], aligns: str, lines: list[list[str]], md: bool) -> str:
    """A plain table: aligned text, or markdown (`aligns`: `<` or `>` per column)."""
    if md:
        head = "| " + " | ".join(headers) + " |"
        align = "|" + "|".join("---:" if a == ">" else "---" for a in aligns) + "|"
        return "\n".join([head, align, *("| " + " | ".join(line) + " |" for line in lines)])
    table = [headers, *lines]
    widths = [max(len(line[i]) for line in table) for i in range(len(headers))]
    return "\n".join("  ".join(f"{v:{a}{w}}" for v, a, w in zip(line, aligns, widths)).rstrip()
                     for line in table)


def growth(rows: list[dict]) -> list[dict]:
    """How cost grows with sessions, per operation and side: the medians at SCALE, the
    cost per session over each step, and whether the growth is linear or better (the
    cost per session of the last step at most SLOPE_TOLERANCE × that of the first, plus
    SLOPE_SLACK_MS)."""
    ops: dict[str, dict[int, dict]] = {}
    for r in rows:
        if "scale" in r and r["verdict"] != "BROKEN":
            ops.setdefault(r["scale"]["op"], {})[r["scale"]["sessions"]] = r
    out = []
    lo, mid, hi = SCALE
    for op, points in ops.items():
        if not all(n in points for n in SCALE):
            continue
        for side, key, ref in (("thanos-tmux", "median_ms", False),
                               ("raw tmux", "ref_median_ms", True),
                               ("thanos − raw", None, False)):
            ms = {n: (points[n][key] if key else points[n]["median_ms"] - points[n]["ref_median_ms"])
                  for n in SCALE}
            first = (ms[mid] - ms[lo]) / (mid - lo)
            last = (ms[hi] - ms[mid]) / (hi - mid)
            linear = last <= SLOPE_TOLERANCE * max(first, 0.0) + SLOPE_SLACK_MS
            out.append({
                "op": op, "side": side,
                "command": (points[lo]["reference_command" if ref else "command"] if key
                            else "what thanos-tmux adds to the raw reference"),
                **{f"ms_at_{n}": ms[n] for n in SCALE},
                f"ms_per_session_{lo}_{mid}": round(first, 4),
                f"ms_per_session_{mid}_{hi}": round(last, 4),
                "slope_ratio": round(last / first, 2) if first > 0 else None,
                "growth": "linear or better" if linear else "superlinear",
            })
    return out


def growth_table(g: list[dict], md: bool) -> str:
    lo, mid, hi = SCALE
    headers = ["operation", "side", *(f"ms @{n}" for n in SCALE),
               f"ms/session {lo}→{mid}", f"ms/session {mid}→{hi}", "slope ratio", "growth"]
    lines = [[r["op"] if r["side"] == "thanos-tmux" else "", r["side"],
              *(f"{r[f'ms_at_{n}']:.2f}" for n in SCALE),
              f"{r[f'ms_per_session_{lo}_{mid}']:.4f}", f"{r[f'ms_per_session_{mid}_{hi}']:.4f}",
              "-" if r["slope_ratio"] is None else f"{r['slope_ratio']:.2f}", r["growth"]]
             for r in g]
    return grid(headers, "<<>>>>>><", lines, md)


def memory_table(m: list[dict], md: bool) -> str:
    headers = ["command", "sessions", "max RSS KiB", "reference KiB", "budget", "verdict"]
    lines = [[(f"`{r['command']}`" if md else r["command"])[:90], r["sessions"],
              "-" if r["max_rss_kib"] is None else str(r["max_rss_kib"]),
              str(r.get("ref_max_rss_kib") or "-"), f"<{MEMORY_BUDGET_KIB}", r["verdict"]]
             for r in m]
    return grid(headers, "<>>>><", lines, md)


def audit_table(a: list[dict], md: bool) -> str:
    headers = ["command", "sessions", "/proc/PID opened", "pane-tree pids", "ps -e",
               "stat opens (pids)", "outside trees", "/proc scans", "verdict"]
    lines = [[f"`{r['command']}`" if md else r["command"], r["sessions"],
              *((str(r["proc_pids_opened"]), str(r["pane_tree_pids"]),
                 str(r["ps_e_processes"]), f"{r['stat_opens']} ({r['stat_pids']})",
                 str(r["outside_count"]), str(r["proc_dir_scans"]))
                if "proc_pids_opened" in r else ("-",) * 6), r["verdict"]]
             for r in a]
    return grid(headers, "<<>>>>>><", lines, md)


def extra_sections(g: list[dict], m: list[dict], a: list[dict], md: bool) -> list[str]:
    """The growth, peak-memory and /proc-reads tables, with what they mean."""
    lo, mid, hi = SCALE
    out = []
    if g:
        out.append(
            f"How cost grows with sessions (the budget: linearly or better): medians of the "
            f"rows above at {lo}, {mid} and {hi} sessions (restore: of that many recorded "
            f"one-window sessions onto a killed server), the cost per added session over "
            f"each step, and their ratio (1 = linear, below 1 better than linear); "
            f"\"thanos − raw\" is what thanos-tmux adds to the raw reference, the part that "
            f"is thanos-tmux's own (tmux's own growth shows in the raw rows). "
            f"\"linear or better\": the {mid}→{hi} step costs at most {SLOPE_TOLERANCE}× per "
            f"session what the {lo}→{mid} step does (+{SLOPE_SLACK_MS} ms/session for "
            f"noise).\n\n" + growth_table(g, md))
    if m:
        out.append(
            f"Peak memory (the budget: under 10 MiB for any command): every thanos-tmux command "
            f"of the run, in its untimed check run, under `/usr/bin/time -f %M`, beside the "
            f"reference of its case (for a reference of several calls, the largest). The "
            f"figure is the largest of the process and the children it waited for (a tmux "
            f"client), so a thanos-tmux figure near tmux's is tmux's.\n\n"
            + memory_table(m, md))
    if a:
        out.append(
            "Which processes the resource figures read (the budget: only the processes that "
            "matter, the panes' process trees; never the whole system twice): the command "
            "once under `strace -f -e trace=openat`; distinct /proc/PID/ opened, against the "
            "processes of every pane's tree and every process of the machine (`ps -e`). "
            "\"outside trees\" counts pids opened that are in no pane's tree (nor the "
            "command's own); \"/proc scans\" counts listings of /proc itself.\n\n"
            + audit_table(a, md))
    return out


def write_results(stem: str, info: dict, rows: list[dict], rounds: int, state_writes: bool,
                  notes: list[str], only: str | None, extra: dict) -> None:
    doc = {**info, "rounds": rounds, "only": only, "state_written_while_timed": state_writes,
           "notes": notes, "results": rows, **extra}
    (BENCH / f"{stem}.json").write_text(json.dumps(doc, indent=2) + "\n")
    plain, added = split_rows(rows)
    seen: dict[tuple, dict] = {}
    for r in rows:
        seen.setdefault((r["case"].strip(), r["reference"]), r)
    legend = "\n".join(
        f"- {name}: `{r['command']}` against `{r['reference_command']}`"
        + (f", over `{r['base_command']}`" if "base_command" in r else "")
        for (name, _), r in seen.items()
    )
    peers = ", ".join(f"{k} {v}" for k, v in info.get("peers", {}).items()) or "none"
    sections = [markdown_table(plain, COLUMNS)] if plain else []
    if added:
        sections.append(
            "Shell start with the snippet, inside tmux (`$TMUX` set, so no attach): what "
            "each snippet adds to a bare start of the same shell; the ratio is ours over "
            "zoxide's.\n\n" + markdown_table(added, ADDED_COLUMNS)
        )
    sections += extra_sections(extra["growth"], extra["memory"], extra["proc_reads"], md=True)
    note_text = "".join(f"- {n}\n" for n in notes)
    md = f"""# Benchmark results

Written by `bench/run`: interleaved rounds, {rounds} per case (heavy cases and
slow peers fewer, see the rounds column), in a private tmux server; the ratio is the
median of thanos-tmux over the median of the reference.{f' Subset: `--only {only}`.' if only else ''}

- date: {info['date']}
- {info['tmux']}, `uname -sm`: {info['uname']}, nproc: {info['nproc']}
- {info['thanos_tmux']}; peers: {peers}
- state file written during timed runs of the read-only cases: {'yes' if state_writes else 'no'}
- load average (1, 5, 15 min) at the start: {info['load_start']}; at the end: {info['load_end']}; processes on the machine at the start: {info.get('processes_start', '?')}
{note_text}
{chr(10).join(s + chr(10) for s in sections)}
Cases:
{legend}

Every session of the {', '.join(str(n) for n in SESSION_COUNTS)}-session servers is recorded in the state file (created
by batched raw tmux calls, then recorded with `thanos-tmux attach -d`), as a user's would be.
The status cases run {STATUS_SESSIONS} sessions of 3 windows (4 panes: a shell, a shell
running `sleep` in front, two shells side by side; recorded with `thanos-tmux save`) and
{STATUS_DAEMONS} daemons (`{DAEMON_COMMAND}`, started with `thanos-tmux daemons start`).
The restore cases start every timed run from a killed server (waited for until its
process is gone and the hook processes it started have ended, untimed), and check after
every run, untimed, that tmux holds exactly the sessions, window names and pane folders
of the layout.
"""
    (BENCH / f"{stem}.md").write_text(md)


#
