//! What sessions there are: tmux's live ones merged with the recorded ones that tmux
//! lost, and the cheaper questions (names only, one session, the panes' processes).

use super::{identity, Presence, SessionInfo, TmuxManager};
use crate::error::Error;
use crate::log;
use crate::state::SessionRecord;
use crate::tmux::format::{self, SessionRow};
use crate::tmux::{At, Batch, Panes};
use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet};

impl TmuxManager {
    /// The sessions tmux has now (empty when no server runs). One tmux call.
    pub(crate) fn live_sessions(&self) -> Result<Vec<SessionRow>, Error> {
        let batch = Batch::new().list_sessions(format::SESSIONS);
        self.read(&batch, format::parse_sessions)
    }

    /// Names of the sessions tmux has now, for completion: the cheapest query there is.
    pub fn live_names(&self) -> Result<Vec<String>, Error> {
        let batch = Batch::new().list_sessions(format::NAMES);
        self.read(&batch, format::parse_names)
    }

    /// The pid of every pane's process, by session (for resource figures). One call.
    pub(crate) fn pane_pids(&self) -> Result<BTreeMap<String, Vec<u32>>, Error> {
        let batch = Batch::new().list_panes(Panes::All, format::PANE_PIDS);
        let mut out: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (pid, name) in self.read(&batch, format::parse_pane_pids)? {
            out.entry(name).or_default().push(pid);
        }
        Ok(out)
    }

    /// True when `name` means a session already: a live one, a recorded one, or one of
    /// the aliases (`main`, `dev`, `monitor`).
    pub fn is_known_session(&self, name: &str) -> Result<bool> {
        Ok(super::ALIASES.contains(&name)
            || self.records()?.contains_key(name)
            || self.session_exists(name)?)
    }

    /// Ends every second terminal's session that its terminal has left (detached or
    /// closed); their windows stay with the group. One whose group's first session is
    /// gone (killed meanwhile) is the last holder of those windows and stays, so that no
    /// program in them ends. (A `client-detached` hook does not say which session the
    /// client left, so all of them are looked at.)
    pub(crate) fn end_left_second_terminals(&self) -> Result<()> {
        let live = self.live_sessions()?;
        let alive: BTreeSet<&str> = live.iter().map(|r| r.name.as_str()).collect();
        for twin in &live {
            if twin.attached > 0 || group_of(twin, &alive).is_none() {
                continue;
            }
            match self.tmux.run(&Batch::new().kill_session(At::Id(&twin.id))) {
                Ok(_) | Err(Error::NoSuchSession(_)) => {}
                Err(err) => return Err(self.tmux.explain(err).into()),
            }
        }
        Ok(())
    }

    /// True when tmux has a session of exactly this name.
    pub fn session_exists(&self, name: &str) -> Result<bool, Error> {
        Ok(self.presence(name)? == Presence::There)
    }

    /// Whether a session is there, and whether a server runs at all: one question.
    pub(crate) fn presence(&self, name: &str) -> Result<Presence, Error> {
        let batch = Batch::new().has_session(At::Name(name));
        match self.tmux.query(&batch) {
            Ok(Some(_)) => Ok(Presence::There),
            Ok(None) => Ok(Presence::NoServer),
            Err(Error::NoSuchSession(_)) => Ok(Presence::Missing),
            // What tmux says when its server has no session at all (yet).
            Err(Error::Tmux { message, .. }) if message == "no current target" => {
                Ok(Presence::Missing)
            }
            Err(err) => Err(self.tmux.explain(err)),
        }
    }

    /// A query of the running server read by `parse` (nothing when no server runs).
    pub(super) fn read<R: Default>(
        &self,
        batch: &Batch,
        parse: impl Fn(&str) -> Result<R, format::Unreadable>,
    ) -> Result<R, Error> {
        match self.tmux.query(batch) {
            Ok(Some(answer)) => parse(&answer).map_err(|e| self.tmux.unreadable(batch, e)),
            Ok(None) => Ok(R::default()),
            Err(err) => Err(self.tmux.explain(err)),
        }
    }

    /// Live sessions and recorded ones that tmux lost, by name. One tmux call.
    pub fn list_sessions(&self) -> Result<Vec<SessionInfo>> {
        Ok(self.sessions_and_rows()?.0)
    }

    /// `list_sessions`, and tmux's rows it was made of.
    pub(super) fn sessions_and_rows(&self) -> Result<(Vec<SessionInfo>, Vec<SessionRow>)> {
        let live = self.live_sessions()?;
        // Read in place: a copy of every record (layouts and all) costs more than the
        // list itself at a thousand sessions.
        let state = self.load_state()?;
        let none = BTreeMap::new();
        let records = state
            .server(&self.socket_key())
            .map_or(&none, |s| &s.sessions);
        self.observe(&live, records);
        Ok((merge(&live, records), live))
    }

    /// One session, live or recorded; `Error::NoSuchSession` when neither.
    ///
    /// ```no_run
    /// use thanos_tmux::{Error, TmuxManager};
    /// let manager = TmuxManager::new()?;
    /// match manager.session_info("api") {
    ///     Ok(info) => println!("{} windows, alive: {}", info.windows, info.alive),
    ///     Err(err) if matches!(err.downcast_ref(), Some(Error::NoSuchSession(_))) => println!("no api"),
    ///     Err(err) if matches!(err.downcast_ref(), Some(Error::TmuxMissing)) => println!("install tmux"),
    ///     Err(err) => return Err(err),
    /// }
    /// # Ok::<(), anyhow::Error>(())
    /// ```
    pub fn session_info(&self, name: &str) -> Result<SessionInfo> {
        self.list_sessions()?
            .into_iter()
            .find(|s| s.name == name)
            .ok_or_else(|| Error::NoSuchSession(name.to_string()).into())
    }

    /// Brings records of live sessions up to date with the server that holds them now
    /// (id and server identity). Writes only when something changed, and only as a
    /// courtesy: a state folder that cannot be written never stops a read.
    pub(super) fn observe(&self, live: &[SessionRow], records: &BTreeMap<String, SessionRecord>) {
        if let Err(err) = self.refresh_records(live, records) {
            log::log(
                log::Level::Warn,
                format_args!("could not refresh the records: {err:#}"),
            );
        }
    }

    fn refresh_records(
        &self,
        live: &[SessionRow],
        records: &BTreeMap<String, SessionRecord>,
    ) -> Result<()> {
        let socket = self.socket_key();
        let stale: Vec<&SessionRow> = live
            .iter()
            .filter(|row| {
                records.get(&row.name).is_some_and(|r| {
                    r.id.as_deref() != Some(&row.id)
                        || r.server != Some(identity(&socket, row.server))
                })
            })
            .collect();
        if stale.is_empty() {
            return Ok(());
        }
        self.update_state(|state| {
            let server = state.server_mut(&socket);
            for row in stale {
                if let Some(record) = server.sessions.get_mut(&row.name) {
                    record.id = Some(row.id.clone());
                    record.server = Some(identity(&socket, row.server));
                }
            }
            Ok(())
        })
    }
}

/// The group a second terminal's session belongs to, when that group's first session
/// is alive; `None` for every other session.
pub(super) fn group_of<'a>(row: &'a SessionRow, alive: &BTreeSet<&str>) -> Option<&'a str> {
    let group = row
        .group
        .as_deref()
        .filter(|g| row.twin && *g != row.name)?;
    alive.contains(group).then_some(group)
}

pub(crate) fn merge(
    live: &[SessionRow],
    records: &BTreeMap<String, SessionRecord>,
) -> Vec<SessionInfo> {
    let alive: BTreeSet<&str> = live.iter().map(|r| r.name.as_str()).collect();
    // A second terminal's session is folded into its group's: its clients count there.
    let mut twins_clients: BTreeMap<&str, u32> = BTreeMap::new();
    for row in live {
        if let Some(group) = group_of(row, &alive) {
            *twins_clients.entry(group).or_default() += row.attached;
        }
    }
    let mut out: Vec<SessionInfo> = live
        .iter()
        .filter(|row| group_of(row, &alive).is_none())
        .map(|row| {
            let record = records.get(&row.name);
            SessionInfo {
                name: row.name.clone(),
                windows: row.windows,
                attached: row.attached + twins_clients.get(row.name.as_str()).copied().unwrap_or(0),
                created: row.created,
                last_attached: row.last_attached.or(record.and_then(|r| r.last_attached)),
                start_dir: record
                    .and_then(|r| r.start_dir.clone())
                    .or_else(|| Some(row.path.clone())),
                managed: record.is_some(),
                alive: true,
            }
        })
        .collect();
    out.extend(
        records
            .values()
            .filter(|r| !alive.contains(r.name.as_str()))
            .map(|r| SessionInfo {
                name: r.name.clone(),
                windows: r.layout.as_ref().map_or(0, |l| l.windows.len() as u32),
                attached: 0,
                created: r.created,
                last_attached: r.last_attached,
                start_dir: r.start_dir.clone(),
                managed: true,
                alive: false,
            }),
    );
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tmux::format::ServerId;

    fn row(name: &str, attached: u32, group: Option<&str>, twin: bool) -> SessionRow {
        SessionRow {
            id: "$1".into(),
            name: name.into(),
            created: 1,
            last_attached: None,
            attached,
            windows: 1,
            managed: false,
            server: ServerId {
                pid: 1,
                start_time: 1,
            },
            path: "/".into(),
            group: group.map(str::to_string),
            twin,
        }
    }

    #[test]
    fn second_terminals_fold_into_their_group() {
        let live = [
            row("api", 1, Some("api"), false),
            row("api~7", 1, Some("api"), true),
            row("api~8", 2, Some("api"), true),
            // A group whose first session is gone: nothing to fold into.
            row("web~9", 1, Some("web"), true),
            row("notes", 0, None, false),
        ];
        let shown: Vec<(String, u32)> = merge(&live, &BTreeMap::new())
            .into_iter()
            .map(|s| (s.name, s.attached))
            .collect();
        let want = [("api", 4), ("notes", 0), ("web~9", 1)];
        assert_eq!(shown, want.map(|(n, a)| (n.to_string(), a)));
    }
}
