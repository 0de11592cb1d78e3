//! Keeping records true: kill, cleanup with the crash-is-not-close rule, forget, and
//! the handlers of the session hooks.

use super::list::group_of;
use super::{identity, CleanupReport, Kept, TmuxManager};
use crate::error::Error;
use crate::log;
use crate::os;
use crate::state::ServerIdentity;
use crate::tmux::{format, At, Batch};
use anyhow::Result;
use std::collections::BTreeSet;
use std::time::Duration;

impl TmuxManager {
    /// Notes the time of a detach on the records of these sessions.
    pub(crate) fn record_detached(&self, names: &[String]) -> Result<()> {
        let socket = self.socket_key();
        let records = self.records()?;
        let known: Vec<&String> = names.iter().filter(|n| records.contains_key(*n)).collect();
        if known.is_empty() {
            return Ok(());
        }
        let now = os::now();
        self.update_state(|state| {
            let server = state.server_mut(&socket);
            for name in known {
                if let Some(record) = server.sessions.get_mut(name) {
                    record.last_detached = Some(now);
                }
            }
            Ok(())
        })
    }

    /// Kills sessions by exact name in one tmux call and drops their records. Returns
    /// the names tmux did not have (nothing is done for those).
    pub fn kill_sessions(&self, names: &[String]) -> Result<Vec<String>> {
        if !self.tmux.server_running() {
            // No server, no session; but a missing or broken tmux is the real news.
            self.tmux.version()?;
        }
        let rows = self.live_sessions()?;
        let alive: BTreeSet<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        let (present, missing): (Vec<&String>, Vec<&String>) =
            names.iter().partition(|n| alive.contains(n.as_str()));
        if !present.is_empty() {
            // By id, found by exact name: a name tmux reads as an id (`$3`) would reach
            // another session. A session's second terminals (the sessions of its group
            // made for them) go with it: they hold its windows.
            let doomed = |name: &str| present.iter().any(|p| p.as_str() == name);
            let kills = rows
                .iter()
                .filter(|row| doomed(&row.name) || group_of(row, &alive).is_some_and(doomed))
                .map(|row| Batch::new().kill_session(At::Id(&row.id)));
            let killed = Batch::pack(kills)
                .iter()
                .try_for_each(|call| self.tmux.run(call).map(drop));
            match killed {
                // The last kill may take the server down with it; that is success.
                Ok(_) | Err(Error::NoServer) => {}
                Err(Error::Tmux { message, .. }) if message.contains("server exited") => {}
                Err(err) => return Err(self.tmux.explain(err).into()),
            }
            for name in &present {
                log::info(format_args!("killed session '{name}'"));
            }
            // The sessions are gone whatever the state folder allows: a record that
            // cannot be dropped now (a read-only or full disk) is only worth a warning,
            // and `cleanup` drops it later by the closed-on-purpose rule.
            let socket = self.socket_key();
            let forgotten = self.update_state(|state| {
                let server = state.server_mut(&socket);
                for name in &present {
                    server.sessions.remove(*name);
                }
                Ok(())
            });
            if let Err(err) = forgotten {
                log::warn(format_args!(
                    "killed, but could not update the records: {err:#}"
                ));
            }
        }
        Ok(missing.into_iter().cloned().collect())
    }

    /// Kills one session by exact name and drops its record.
    pub fn kill_session(&self, name: &str) -> Result<()> {
        match self.kill_sessions(&[name.to_string()])?.is_empty() {
            true => Ok(()),
            false => Err(Error::NoSuchSession(name.to_string()).into()),
        }
    }

    /// Drops records that were closed on purpose: the very server that last held the
    /// session (same socket, pid, start time) runs and no longer has it. A session that
    /// is missing because its server crashed or is down stays restorable.
    pub fn cleanup_orphaned_state(&self, dry_run: bool) -> Result<CleanupReport> {
        let live = self.live_sessions()?;
        let records = self.records()?;
        self.observe(&live, &records);
        let socket = self.socket_key();
        let running = live
            .first()
            .map(|row| identity(&socket, row.server))
            .or_else(|| self.server_identity());
        let alive: BTreeSet<&str> = live.iter().map(|r| r.name.as_str()).collect();
        let mut report = CleanupReport::default();
        for (name, record) in &records {
            if alive.contains(name.as_str()) {
                continue;
            }
            let reason = match (&running, &record.server) {
                (None, _) => "server not running; kept for restore",
                (Some(_), None) => {
                    "never seen by a running server; use `thanos-tmux forget` to drop it"
                }
                (Some(now), Some(last)) if now == last => {
                    report.removed.push(name.clone());
                    continue;
                }
                (Some(_), Some(_)) => "its server crashed or restarted; kept for restore",
            };
            report.kept.push(Kept {
                name: name.clone(),
                reason: reason.into(),
            });
        }
        if !dry_run && !report.removed.is_empty() {
            self.drop_records(&report.removed)?;
            log::info(format_args!(
                "cleanup removed {}",
                report.removed.join(", ")
            ));
        }
        Ok(report)
    }

    /// Identity of the running server when it has no session to report it.
    fn server_identity(&self) -> Option<ServerIdentity> {
        if !self.tmux.server_running() {
            return None;
        }
        let out = self
            .tmux
            .run(&Batch::new().display(None, format::SERVER))
            .ok()?;
        let server = format::parse_server(&out).ok()?.id;
        Some(identity(&self.socket_key(), server))
    }

    /// Drops records by name; tmux is not touched. Returns the names not recorded.
    pub fn forget(&self, names: &[String]) -> Result<Vec<String>> {
        let socket = self.socket_key();
        self.update_state(|state| {
            let server = state.server_mut(&socket);
            Ok(names
                .iter()
                .filter(|n| server.sessions.remove(*n).is_none())
                .cloned()
                .collect())
        })
    }

    /// Drops every record that tmux does not have now. Returns the names dropped.
    pub fn forget_dead(&self) -> Result<Vec<String>> {
        let alive: BTreeSet<String> = self.live_sessions()?.into_iter().map(|s| s.name).collect();
        let dead: Vec<String> = self
            .records()?
            .into_keys()
            .filter(|n| !alive.contains(n))
            .collect();
        self.drop_records(&dead)?;
        Ok(dead)
    }

    fn drop_records(&self, names: &[String]) -> Result<()> {
        let socket = self.socket_key();
        self.update_state(|state| {
            let server = state.server_mut(&socket);
            for name in names {
                server.sessions.remove(name);
            }
            Ok(())
        })
    }

    /// The `session-closed` hook: drops the record only when the very server that last
    /// held the session runs without it (a shutdown fires this hook too), and ends the
    /// server when that was its last session.
    pub(crate) fn session_closed(&self, name: &str) -> Result<()> {
        // A server that is shutting down is given a moment to be gone.
        std::thread::sleep(Duration::from_millis(250));
        if !self.tmux.server_running() {
            return Ok(());
        }
        let live = self.live_sessions()?;
        if live.iter().any(|s| s.name == name) {
            return Ok(());
        }
        let Some(running) = self.server_identity() else {
            return Ok(());
        };
        let record = self.records()?.remove(name);
        if record.and_then(|r| r.server).as_ref() == Some(&running) {
            self.drop_records(&[name.to_string()])?;
            log::info(format_args!("session '{name}' closed; record dropped"));
        }
        if live.is_empty() && self.tmux.server_running() {
            let _ = self.tmux.run(&Batch::new().kill_server());
        }
        Ok(())
    }

    /// The `session-renamed` hook: the record follows the session by its tmux id.
    pub(crate) fn session_renamed(&self, id: &str, new_name: &str) -> Result<()> {
        let socket = self.socket_key();
        self.update_state(|state| {
            let records = &mut state.server_mut(&socket).sessions;
            let old = records
                .iter()
                .find(|(_, r)| r.id.as_deref() == Some(id))
                .map(|(n, _)| n.clone());
            if let Some(old) = old.filter(|o| o != new_name) {
                if let Some(mut record) = records.remove(&old) {
                    record.name = new_name.to_string();
                    records.insert(new_name.to_string(), record);
                }
            }
            Ok(())
        })
    }

    /// The `client-attached` / `client-detached` hooks: note the time on the record.
    pub(crate) fn note_client(&self, name: &str, attached: bool) -> Result<()> {
        let socket = self.socket_key();
        let now = os::now();
        self.update_state(|state| {
            if let Some(record) = state.server_mut(&socket).sessions.get_mut(name) {
                if attached {
                    record.last_attached = Some(now);
                } else {
                    record.last_detached = Some(now);
                }
            }
            Ok(())
        })
    }
}
