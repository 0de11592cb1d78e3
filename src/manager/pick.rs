//! What the picker asks of a server: its sessions as picker entries, where project
//! folders are searched, and a preview of a session's current pane.

use super::list::group_of;
use super::TmuxManager;
use crate::error::Error;
use crate::pick::{Candidate, Kind, ProjectFolders};
use crate::tmux::{target, At, Batch};
use anyhow::Result;
use std::collections::BTreeSet;

impl TmuxManager {
    /// Live sessions, then recorded ones tmux lost, each most recently attached first;
    /// the session of the client this runs in is marked and comes after the other live
    /// ones (going there is no jump). A second terminal's session counts as its group's.
    /// One tmux call; with no server, the recorded sessions alone.
    pub fn pick_sessions(&self) -> Result<Vec<Candidate>> {
        let (sessions, live) = self.sessions_and_rows()?;
        let alive: BTreeSet<&str> = live.iter().map(|r| r.name.as_str()).collect();
        let current = self.env().tmux_session_id().and_then(|id| {
            let row = live.iter().find(|row| row.id == id)?;
            Some(group_of(row, &alive).unwrap_or(&row.name).to_string())
        });
        let mut entries: Vec<Candidate> = sessions
            .into_iter()
            .map(|s| Candidate {
                kind: if s.alive { Kind::Live } else { Kind::Lost },
                current: current.as_deref() == Some(s.name.as_str()),
                name: Some(s.name),
                folder: s.start_dir,
                windows: s.windows,
                clients: s.attached,
                last_attached: s.last_attached,
            })
            .collect();
        entries.sort_by_key(|c| {
            let rank = match (c.kind, c.current) {
                (Kind::Live, false) => 0,
                (Kind::Live, true) => 1,
                _ => 2,
            };
            (rank, std::cmp::Reverse(c.last_attached))
        });
        Ok(entries)
    }

    /// Where the picker looks for project folders: `pick.roots` (default the root),
    /// `pick.depth` levels down, the last scan cached in the state folder.
    pub fn project_folders(&self) -> ProjectFolders {
        let roots = match self.config.pick_roots.is_empty() {
            true => vec![self.root()],
            false => self.config.pick_roots.clone(),
        };
        ProjectFolders {
            roots,
            depth: self.config.pick_depth,
            cache: self.store().dir().join("pick-folders"),
        }
    }

    /// The text of session NAME's current pane, as tmux shows it (no colours); empty
    /// when no server runs or the session cannot be targeted.
    pub fn preview(&self, name: &str) -> Result<String, Error> {
        if !target::addressable(name) {
            return Ok(String::new());
        }
        let batch = Batch::new().capture_pane(At::Name(name));
        self.read(&batch, |text| Ok(text.to_string()))
    }
}
