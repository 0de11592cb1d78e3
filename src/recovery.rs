//! Layouts: reading them from tmux for a save, and building them again on restore
//! with as few tmux calls as possible.

use crate::procs;
use crate::state::{Layout, PaneRecord, SessionRecord, WindowRecord};
use crate::tmux::format::PaneRow;
use crate::tmux::{target, At, Batch, Spawn, Start};
use std::collections::BTreeMap;
use std::path::Path;

/// Restores up to this many panes send the hook registration in the build call itself.
pub(crate) const SMALL_RESTORE_PANES: usize = 12;

/// Panes a record will be rebuilt with (a record without a layout gets one).
pub(crate) fn pane_count(record: &SessionRecord) -> usize {
    record
        .layout
        .as_ref()
        .map_or(1, |l| l.windows.iter().map(|w| w.panes.len().max(1)).sum())
}

/// A saved session: tmux id, the layout, and the folder of its first pane.
pub(crate) struct Saved {
    pub(crate) id: String,
    pub(crate) layout: Layout,
    pub(crate) first_cwd: String,
}

/// Groups `list-panes` rows into layouts, by session name. The foreground program of
/// each pane is read with its arguments (from `/proc` on Linux, else its name).
pub(crate) fn layouts(rows: &[PaneRow]) -> BTreeMap<String, Saved> {
    let mut out: BTreeMap<String, Saved> = BTreeMap::new();
    for row in rows {
        let saved = out.entry(row.session.clone()).or_insert_with(|| Saved {
            id: row.session_id.clone(),
            layout: Layout::default(),
            first_cwd: row.path.clone(),
        });
        let windows = &mut saved.layout.windows;
        if windows.last().is_none_or(|w| w.index != row.window_index) {
            windows.push(WindowRecord {
                index: row.window_index,
                name: row.window_name.clone(),
                layout: row.window_layout.clone(),
                active: row.window_active,
                width: row.window_width,
                height: row.window_height,
                panes: Vec::new(),
            });
        }
        let window = windows.last_mut().expect("pushed above");
        window.panes.push(PaneRecord {
            index: row.pane_index,
            cwd: row.path.clone(),
            command: foreground_command(row.pane_pid, &row.pane_command),
        });
    }
    out
}

/// The shells a pane runs when nothing else is in its foreground.
const SHELLS: [&str; 8] = ["sh", "bash", "zsh", "fish", "dash", "ksh", "tcsh", "csh"];

/// The program in the foreground of a pane with its arguments, or nothing when the
/// pane's own shell is in the foreground.
fn foreground_command(pane_pid: u32, name: &str) -> Vec<String> {
    if pane_pid == 0 {
        // A dead pane runs nothing.
        return Vec::new();
    }
    if let Some(args) = proc_foreground(pane_pid) {
        return args;
    }
    // Without /proc only the name is known; a shell in the foreground is no program.
    if name.is_empty() || is_shell(name) {
        Vec::new()
    } else {
        vec![name.to_string()]
    }
}

fn is_shell(program: &str) -> bool {
    SHELLS.contains(&basename(program).as_str())
}

/// Linux: the terminal's foreground process group (`tpgid` in `/proc/PID/stat`) and
/// the command line of its leader, read only when that process is on the pane's own
/// terminal. `Some(empty)` when the pane's shell itself is in front; a pane whose own
/// process is a program (`tmux new-window 'tail -f log'`) gives that program.
fn proc_foreground(pane_pid: u32) -> Option<Vec<String>> {
    let (tty, tpgid) = procs::terminal(pane_pid)?;
    if tpgid <= 0 {
        return Some(Vec::new());
    }
    let leader = u32::try_from(tpgid).ok()?;
    if leader != pane_pid && procs::terminal(leader)?.0 != tty {
        // Not on this pane's terminal: never a program of this session.
        return Some(Vec::new());
    }
    program_of(leader, 3)
}

/// What a pane's foreground process runs: nothing for a shell at its prompt; for a
/// shell running a command line (`sh -c 'tail -f log'`, where the shell did not exec
/// it), what its one child runs; else the process itself with its arguments.
fn program_of(pid: u32, depth: u32) -> Option<Vec<String>> {
    let args = procs::cmdline(pid)?;
    let first = args.first()?;
    if !is_shell(first) {
        return Some(args);
    }
    if args.get(1).is_some_and(|a| a == "-c") && depth > 0 {
        return Some(
            procs::only_child(pid)
                .and_then(|child| program_of(child, depth - 1))
                .unwrap_or_default(),
        );
    }
    Some(Vec::new())
}

/// The tmux commands that rebuild one recorded session (printing the new session's id,
/// `format::CREATED`): windows in order with names,
/// panes in their folders, layouts, allowed programs re-run, the active window.
/// Every command names its session exactly (`=NAME:` is the session's current window,
/// which each `new-window` and `split-window` moves to what it made): in a batch that
/// builds several sessions, an untargeted command would go to the first one.
pub(crate) fn restore_batch(
    record: &SessionRecord,
    programs: &[String],
    fallback_dir: &Path,
) -> Batch {
    let name = &record.name;
    let home = record
        .start_dir
        .clone()
        .unwrap_or_else(|| fallback_dir.to_string_lossy().into_owned());
    let dir_of = |cwd: &str| {
        if cwd.is_empty() {
            home.clone()
        } else {
            cwd.to_string()
        }
    };
    let windows = record
        .layout
        .as_ref()
        .map(|l| l.windows.as_slice())
        .unwrap_or_default();
    let here = At::Name(name);
    let mut batch = Batch::new();
    if windows.is_empty() || !target::addressable(name) {
        // A name tmux cannot target gets its session and folder, nothing that would
        // need a target (it would reach another session).
        let spawn = Spawn {
            dir: Some(Path::new(&home)),
            ..Spawn::default()
        };
        batch = batch.new_session(name, Start::DetachedReporting, &spawn);
        if !target::addressable(name) {
            return batch;
        }
    }
    for (k, window) in windows.iter().enumerate() {
        let first_dir = window
            .panes
            .first()
            .map_or(home.clone(), |p| dir_of(&p.cwd));
        let spawn = Spawn {
            dir: Some(Path::new(&first_dir)),
            window_name: (!is_automatic_name(window)).then_some(window.name.as_str()),
            ..Spawn::default()
        };
        batch = if k == 0 {
            // tmux refuses sizes over 10000 (and a hand-edited file may hold anything).
            let fits = |n| (1..=10_000).contains(&n);
            let size = (fits(window.width) && fits(window.height))
                .then_some((window.width, window.height));
            batch.new_session(name, Start::DetachedReporting, &Spawn { size, ..spawn })
        } else {
            batch.new_window(here, &spawn)
        };
        for (p, pane) in window.panes.iter().enumerate() {
            if p > 0 {
                batch = batch.split_window(here, Path::new(&dir_of(&pane.cwd)));
            }
            if let Some(line) = program_line(&pane.command, programs) {
                batch = batch.type_line(here, &line);
            }
        }
        if window.panes.len() > 1 && layout_is_sound(&window.layout) {
            batch = batch.select_layout(here, &window.layout);
        }
    }
    batch = batch.mark_managed(Some(here));
    if windows.len() > 1 {
        // Offsets from the first window: indexes may differ from the saved ones.
        let active = windows.iter().position(|w| w.active).unwrap_or(0);
        batch = batch.select_window(name, active);
    }
    batch
}

/// A saved layout carries tmux's own checksum (`b25d,80x24,0,0,1`). Anything else came
/// from a hand-edited file, and tmux 3.3 crashes on some such strings: never send one.
pub(crate) fn layout_is_sound(layout: &str) -> bool {
    let Some((sum, body)) = layout.split_once(',') else {
        return false;
    };
    let Ok(sum) = u16::from_str_radix(sum, 16) else {
        return false;
    };
    let computed = body.bytes().fold(0u16, |c, b| {
        ((c >> 1) | ((c & 1) << 15)).wrapping_add(u16::from(b))
    });
    sum == computed
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b",x[]{}".contains(&b))
}

/// A window named after the program in it was most likely named by tmux's
/// automatic-rename: leave it to tmux again rather than freezing the name.
fn is_automatic_name(window: &WindowRecord) -> bool {
    let Some(pane) = window.panes.first() else {
        return false;
    };
    let program = pane
        .command
        .first()
        .map(|p| basename(p))
        .unwrap_or_default();
    window.name.is_empty()
        || (!program.is_empty() && window.name == program)
        || (pane.command.is_empty()
            && ["sh", "bash", "zsh", "fish"].contains(&window.name.as_str()))
}

/// The command line typed into a restored pane, when its program is allowed.
fn program_line(command: &[String], programs: &[String]) -> Option<String> {
    let program = basename(command.first()?);
    if !programs.iter().any(|p| p == &program) {
        return None;
    }
    Some(
        command
            .iter()
            .map(|a| target::sh_quote(a))
            .collect::<Vec<_>>()
            .join(" "),
    )
}

fn basename(path: &str) -> String {
    path.rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_start_matches('-')
        .to_string()
}

#[cfg(test)]
mod tests;
