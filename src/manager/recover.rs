//! Save and restore of layouts.

use super::{identity, TmuxManager};
use crate::error::Error;
use crate::log;
use crate::os;
use crate::recovery;
use crate::state::SessionRecord;
use crate::tmux::format::{self, ServerId};
use crate::tmux::{target, At, Batch, Panes};
use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

impl TmuxManager {
    /// Records the live layout of sessions (all of them when `names` is empty; plain
    /// tmux sessions become managed). One `list-panes` and one write. A server that is
    /// down or empty overwrites nothing. Returns the names saved.
    pub fn save(&self, names: &[String]) -> Result<Vec<String>> {
        self.save_layouts(names, false)
    }

    /// A tmux hook's save of one session: only a session that is recorded already is
    /// brought up to date. A hook never adds a record: the session it names may be a
    /// guess (a pane event of a closing session names some other current session), and
    /// a session forgotten on purpose must stay forgotten.
    pub(crate) fn save_recorded(&self, name: &str) -> Result<()> {
        self.save_layouts(&[name.to_string()], true).map(drop)
    }

    fn save_layouts(&self, names: &[String], recorded_only: bool) -> Result<Vec<String>> {
        if !self.tmux.server_running() {
            return Ok(Vec::new());
        }
        let batch = match names {
            [one] if target::addressable(one) => {
                Batch::new().list_panes(Panes::Session(At::Name(one)), format::PANES)
            }
            _ => Batch::new().list_panes(Panes::All, format::PANES),
        };
        let rows = match self.tmux.run(&batch) {
            Ok(out) => format::parse_panes(&out).map_err(|e| self.tmux.unreadable(&batch, e))?,
            Err(Error::NoServer) => return Ok(Vec::new()),
            Err(Error::NoSuchSession(_)) => {
                return Err(Error::NoSuchSession(names[0].clone()).into())
            }
            Err(err) => return Err(self.tmux.explain(err).into()),
        };
        // A second terminal's session shares its group's windows: never recorded.
        let rows: Vec<_> = rows.into_iter().filter(|r| !r.twin).collect();
        let servers: BTreeMap<String, ServerId> =
            rows.iter().map(|r| (r.session.clone(), r.server)).collect();
        let mut layouts = recovery::layouts(&rows);
        if !names.is_empty() {
            layouts.retain(|name, _| names.contains(name));
        }
        // The monitor session is rebuilt from the config by `daemons start`, never
        // from a layout (its panes would come back as shells, not daemons).
        layouts.remove(&self.monitor_name());
        let socket = self.socket_key();
        let now = os::now();
        self.update_state(|state| {
            let records = &mut state.server_mut(&socket).sessions;
            if recorded_only {
                layouts.retain(|name, _| records.contains_key(name));
            }
            for (name, saved) in &layouts {
                let record = records
                    .entry(name.clone())
                    .or_insert_with(|| SessionRecord {
                        name: name.clone(),
                        created: now,
                        start_dir: Some(saved.first_cwd.clone()),
                        ..SessionRecord::default()
                    });
                record.id = Some(saved.id.clone());
                record.layout = Some(saved.layout.clone());
                record.server = servers.get(name).map(|s| identity(&socket, *s));
            }
            Ok(())
        })?;
        Ok(layouts.into_keys().collect())
    }

    /// Recreates recorded sessions that tmux does not have (all of them when `names` is
    /// empty), in one batched tmux call (split only where it would grow too long). A
    /// session that exists is left alone; two restores at once create nothing twice.
    /// Returns the names restored; a record that could not be rebuilt is an error that
    /// names it, after the others were restored.
    pub fn restore(&self, names: &[String]) -> Result<Vec<String>> {
        let done = self.restore_within(names, None)?;
        if !done.failed.is_empty() {
            let failed: Vec<String> = done
                .failed
                .iter()
                .map(|(name, why)| format!("'{name}' ({why})"))
                .collect();
            anyhow::bail!(
                "restored {} session(s); could not restore {}",
                done.restored.len(),
                failed.join(", ")
            );
        }
        Ok(done.restored)
    }

    /// Restores the recorded sessions (all of them when `names` is empty) and, when
    /// daemons are configured, the monitor session with them: it is rebuilt from the
    /// config, never from a record, so that each daemon runs again.
    pub(super) fn restore_within(
        &self,
        names: &[String],
        limit: Option<Duration>,
    ) -> Result<Restored> {
        let monitor = self.monitor_name();
        let with_daemons =
            !self.config.daemons.is_empty() && (names.is_empty() || names.contains(&monitor));
        let records: Vec<String> = names
            .iter()
            .filter(|n| !with_daemons || **n != monitor)
            .cloned()
            .collect();
        let mut done = if names.is_empty() || !records.is_empty() {
            self.restore_records(&records, &monitor, limit)?
        } else {
            Restored::default()
        };
        if with_daemons && !self.session_exists(&monitor)? {
            match self.daemons_start(&[]) {
                Ok(_) => done.restored.push(monitor),
                Err(err) => done.failed.push((monitor, format!("{err:#}"))),
            }
        }
        Ok(done)
    }

    /// Restores recorded sessions, all but `monitor` when `names` is empty.
    fn restore_records(
        &self,
        names: &[String],
        monitor: &str,
        limit: Option<Duration>,
    ) -> Result<Restored> {
        // Best effort: a state folder that cannot be written still lets a restore run.
        let _lock = self
            .store
            .exclusive("restore")
            .map_err(|e| log::debug(format_args!("{e:#}")))
            .ok();
        let alive: BTreeSet<String> = self.live_sessions()?.into_iter().map(|s| s.name).collect();
        let records = self.records()?;
        for name in names {
            if !records.contains_key(name) {
                return Err(Error::NoSuchSession(name.clone()).into());
            }
        }
        let todo: Vec<&SessionRecord> = records
            .values()
            .filter(|r| !alive.contains(&r.name) && r.name != monitor)
            .filter(|r| names.is_empty() || names.contains(&r.name))
            .collect();
        if todo.is_empty() {
            return Ok(Restored::default());
        }
        let root = self.root();
        let batch_of =
            |r: &SessionRecord| recovery::restore_batch(r, &self.config.restore_programs, &root);
        // The hooks come after the build: registered inside it, they would fire for
        // every layout change the build itself queued (dozens of saves of what was just
        // restored from the record). The same call reports what now exists, in one
        // query rather than one per session. A small restore (the common one at login)
        // sends it all in one call: the few hook runs it sets off cost less than a
        // second round trip.
        let report = self.hooks().list_sessions(format::NAMED_IDENTITY);
        let mut calls = Batch::pack(todo.iter().map(|r| batch_of(r)));
        let panes: usize = todo.iter().map(|r| recovery::pane_count(r)).sum();
        let mut reported = false;
        if let [one] = calls.as_mut_slice() {
            if panes <= recovery::SMALL_RESTORE_PANES {
                *one = std::mem::take(one).extend(report.clone());
                reported = true;
            }
        }
        let mut printed = String::new();
        let mut failure = None;
        for call in &calls {
            let (out, result) = self.tmux.run_partial(call, limit);
            printed.push_str(&out);
            if let Err(err) = result {
                failure = Some(err);
                break;
            }
        }
        let mut failed = Vec::new();
        match failure {
            None => {}
            // One bad record (a hand-edited layout, say) must not cost the others: undo
            // what this restore built (by the ids it created, so nothing anyone else
            // made is touched), then go session by session. A server that went away
            // meanwhile (a shutdown) is left alone: the records stay.
            Some(Error::Tmux { .. }) if self.tmux.server_running() => {
                self.undo(&printed, limit);
                printed.clear();
                reported = false;
                for record in &todo {
                    let (out, result) = self.tmux.run_partial(&batch_of(record), limit);
                    match result {
                        Ok(()) => printed.push_str(&out),
                        // Made meanwhile by another terminal: theirs, and there.
                        Err(Error::Tmux { message, .. })
                            if message.starts_with("duplicate session") => {}
                        Err(err @ Error::Tmux { .. }) => {
                            self.undo(&out, limit);
                            failed.push((record.name.clone(), err.to_string()));
                        }
                        Err(err) => return Err(self.tmux.explain(err).into()),
                    }
                }
            }
            Some(err) => return Err(self.tmux.explain(err).into()),
        }
        if !reported {
            let (out, result) = self.tmux.run_partial(&report, limit);
            result.map_err(|e| self.tmux.explain(e))?;
            printed.push_str(&out);
        }
        let built = format::parse_built(&printed).map_err(|e| self.tmux.unreadable(&report, e))?;
        let seen: BTreeMap<String, (String, ServerId)> = built
            .sessions
            .into_iter()
            .filter(|(name, _)| todo.iter().any(|r| &r.name == name))
            .collect();
        let socket = self.socket_key();
        let written = self.update_state(|state| {
            let records = &mut state.server_mut(&socket).sessions;
            for (name, (id, server)) in &seen {
                if let Some(record) = records.get_mut(name) {
                    record.id = Some(id.clone());
                    record.server = Some(identity(&socket, *server));
                }
            }
            Ok(())
        });
        if let Err(err) = written {
            log::warn(format_args!(
                "restored, but could not update the records: {err:#}"
            ));
        }
        let restored: Vec<String> = todo
            .iter()
            .map(|r| r.name.clone())
            .filter(|n| seen.contains_key(n) && !failed.iter().any(|(f, _)| f == n))
            .collect();
        log::info(format_args!("restored {}", restored.join(", ")));
        Ok(Restored { restored, failed })
    }

    /// Kills the sessions a failed build made, by the ids it printed: never a session
    /// this call did not create. The server stays up (`exit-empty off`) for the retry
    /// that follows, even when these were all its sessions.
    pub(super) fn undo(&self, printed: &str, limit: Option<Duration>) {
        let created = format::parse_built(printed)
            .map(|b| b.created)
            .unwrap_or_default();
        if created.is_empty() {
            return;
        }
        let kill = |id: &String| Batch::new().kill_session(At::Id(id));
        let undo = created
            .iter()
            .fold(Batch::new().keep_server_when_empty(), |b, id| {
                b.extend(kill(id))
            });
        for call in Batch::pack([undo]) {
            if self.tmux.run_partial(&call, limit).1.is_err() {
                // One id already gone stops the batch: the rest one by one.
                for id in &created {
                    if let (_, Err(err)) = self.tmux.run_partial(&kill(id), limit) {
                        log::debug(format_args!("undo of {id}: {err}"));
                    }
                }
            }
        }
    }
}

/// What a restore did.
#[derive(Debug, Default)]
pub(crate) struct Restored {
    pub(crate) restored: Vec<String>,
    /// (name, why) of each record that could not be rebuilt.
    pub(crate) failed: Vec<(String, String)>,
}
