//! `pick`: the picker on a terminal, or `--list` of its entries for scripts and fzf.

use super::{manager, print_json, Global};
use crate::cli::PickArgs;
use crate::exit::Exit;
use crate::ui::{self, Paint};
use anyhow::Result;
use std::path::PathBuf;
use thanos_tmux::{add_folders, Candidate, Kind, Target, TmuxManager};

pub fn run(global: &Global, args: &PickArgs) -> Result<Exit> {
    let manager = manager(global, true)?;
    if !args.list {
        let colour = Paint::new(global.color, false).is_on();
        return crate::picker::run(&manager, colour);
    }
    let mut entries = manager.pick_sessions()?;
    let folders = manager.project_folders().search(&mut |_| {});
    add_folders(&mut entries, folders.iter().map(String::as_str));
    if args.json {
        print_json(&entries)?;
    } else {
        let line = |c: &Candidate| {
            let name = c.name.as_deref().unwrap_or("");
            let folder = c.folder.as_deref().unwrap_or("");
            format!(
                "{}\t{}\t{}\n",
                kind_word(c.kind),
                ui::printable(name),
                ui::printable(folder)
            )
        };
        ui::out(&entries.iter().map(line).collect::<String>())?;
    }
    Ok(Exit::Ok)
}

/// The word `--list` prints for a kind.
fn kind_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Live => "live",
        Kind::Lost => "lost",
        Kind::Folder => "folder",
    }
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
