//! `pick`: the picker on a terminal, or `--list` of its entries for scripts and fzf.

use super::{manager, print_json, Global};
use crate::cli::PickArgs;
use crate::exit::Exit;
use crate::ui::{self, Paint};
use anyhow::Result;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use thanos_tmux::{add_folders, Candidate, Kind, Target, TmuxManager};

/// `pick --list` searches the folders again, in the background, when the last search is
/// older than this.
const REFRESH_AFTER: Duration = Duration::from_secs(10);

pub fn run(global: &Global, args: &PickArgs) -> Result<Exit> {
    let manager = manager(global, true)?;
    let project = manager.project_folders();
    if args.refresh {
        project.search(&mut |_| {});
        return Ok(Exit::Ok);
    }
    if !args.list {
        let colour = Paint::new(global.color, false).is_on();
        return crate::picker::run(&manager, colour);
    }
    let mut entries = manager.pick_sessions()?;
    // The last search when there is one for these roots (a new one is started when it
    // is old), else a search now.
    let folders = match project.cached() {
        Some((folders, age)) => {
            if age > REFRESH_AFTER {
                refresh_in_background();
            }
            folders
        }
        None => project.search(&mut |_| {}),
    };
    add_folders(&mut entries, folders);
    if args.json {
        print_json(&entries)?;
    } else {
        // One buffer for all lines: thousands of folders are the usual case.
        let mut text = String::with_capacity(entries.len() * 64);
        for c in &entries {
            let name = c.name.as_deref().unwrap_or("");
            let folder = c.folder.as_deref().unwrap_or("");
            for (field, end) in [(c.kind.as_str(), '\t'), (name, '\t'), (folder, '\n')] {
                text.push_str(&ui::printable(field));
                text.push(end);
            }
        }
        ui::out(&text)?;
    }
    Ok(Exit::Ok)
}

/// Starts `thanos-tmux pick --refresh` on its own (its own process group, no terminal,
/// not waited for), so that the next `--list` has today's folders.
fn refresh_in_background() {
    let Ok(me) = std::env::current_exe() else {
        return;
    };
    // Not tmux: this binary itself, detached.
    #[allow(clippy::disallowed_methods)]
    let _ = std::process::Command::new(me)
        .args(["pick", "--refresh"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn();
}

/// Goes to what was chosen: attaches outside tmux (this process becomes tmux) or
/// switches inside it; a lost session is restored, a folder gets the session named for
/// it (made when missing).
pub fn go(manager: &TmuxManager, chosen: &Candidate) -> Result<()> {
    let folder = chosen.folder.as_deref().map(PathBuf::from);
    let target = match (&chosen.name, chosen.kind) {
        (Some(name), Kind::Live | Kind::Lost) => Target {
            name: name.clone(),
            start_dir: folder.unwrap_or_else(|| manager.root()),
        },
        _ => manager.resolve(None, folder.as_deref())?,
    };
    manager.attach(&target)
}
