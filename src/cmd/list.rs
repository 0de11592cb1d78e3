//! `list`: a table for people, `--json` and `--names` for scripts and completion.

use super::{manager, paint_out, print_json, Global};
use crate::cli::ListArgs;
use thanos_tmux::{SessionInfo, AUTO_LIMIT};

use crate::exit::Exit;
use crate::ui::{self, Paint};
use anyhow::Result;

pub fn run(global: &Global, args: &ListArgs) -> Result<Exit> {
    let manager = manager(global, false)?;
    if args.names && !args.dead {
        // Completion path: live names only, one tmux call, no state read, and a Tab
        // never waits on a stuck server longer than a login would.
        let manager = manager.with_limit(AUTO_LIMIT);
        let mut text = manager.live_names()?.join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        ui::out(&text)?;
        return Ok(Exit::Ok);
    }
    let sessions = manager.list_sessions()?;
    if args.json {
        print_json(&sessions)?;
    } else if args.names {
        let dead: String = sessions
            .iter()
            .filter(|s| !s.alive)
            .map(|s| format!("{}\n", s.name))
            .collect();
        ui::out(&dead)?;
    } else if sessions.is_empty() {
        super::say(
            global,
            "thanos-tmux: no sessions yet; run `thanos-tmux` to start one",
        );
    } else {
        ui::out(&table(&sessions, paint_out(global)))?;
    }
    Ok(Exit::Ok)
}

/// The human table shared by `list` and `status`.
pub fn table(sessions: &[SessionInfo], paint: Paint) -> String {
    let now = ui::now();
    let mut rows = vec![[
        "NAME", "WINDOWS", "CLIENTS", "CREATED", "ATTACHED", "STATE", "FOLDER",
    ]
    .map(String::from)
    .to_vec()];
    for s in sessions {
        let state = match (s.alive, s.attached) {
            (false, _) => "not alive",
            (true, 0) => "detached",
            (true, _) => "attached",
        };
        rows.push(vec![
            s.name.clone(),
            if s.alive {
                s.windows.to_string()
            } else {
                "-".into()
            },
            if s.alive {
                s.attached.to_string()
            } else {
                "-".into()
            },
            ui::ago(s.created, now),
            s.last_attached.map_or("never".into(), |t| ui::ago(t, now)),
            state.into(),
            s.start_dir.as_deref().map_or(String::new(), ui::tilde),
        ]);
    }
    ui::table(&rows, |r, c, cell| match (r, c) {
        (0, _) => paint.bold(cell),
        (_, 0) => paint.purple(cell),
        (_, 5) if cell.starts_with("attached") => paint.gold(cell),
        (_, 5) if cell.starts_with("not alive") => paint.dim(cell),
        _ => cell.to_string(),
    })
}
