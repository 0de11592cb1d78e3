//! Save and restore of layouts.

use super::*;

impl TmuxManager {
    /// Records the live layout of sessions (all of them when `names` is empty; plain
    /// tmux sessions become managed). One `list-panes` and one write. A server that is
    /// down or empty overwrites nothing. Returns the names saved.
    pub fn save(&self, names: &[String]) -> Result<Vec<String>> {
        if !self.tmux.server_running() {
            return Ok(Vec::new());
        }
        let batch = match names {
            [one] => Batch::new().cmd([
                "list-panes",
                "-s",
                "-t",
                &target::session(one),
                "-F",
                format::PANES,
            ]),
            _ => Batch::new().cmd(["list-panes", "-a", "-F", format::PANES]),
        };
        let rows = match self.tmux.run(&batch) {
            Ok(out) => format::parse_panes(&out),
            Err(Error::NoServer) => return Ok(Vec::new()),
            Err(Error::NoSuchSession(_)) => {
                return Err(Error::NoSuchSession(names[0].clone()).into())
            }
            Err(err) => return Err(self.tmux.explain(err).into()),
        };
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
        let now = state::now();
        self.update_state(|state| {
            let records = &mut state.server_mut(&socket).sessions;
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
    /// Returns the names restored.
    pub fn restore(&self, names: &[String]) -> Result<Vec<String>> {
        self.restore_within(names, None)
    }

    pub(super) fn restore_within(
        &self,
        names: &[String],
        limit: Option<Duration>,
    ) -> Result<Vec<String>> {
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
            .filter(|r| !alive.contains(&r.name) && (names.is_empty() || names.contains(&r.name)))
            .collect();
        if todo.is_empty() {
            return Ok(Vec::new());
        }
        let root = self.root();
        let batch_of =
            |r: &SessionRecord| recovery::restore_batch(r, &self.config.restore_programs, &root);
        let run = |call: &Batch| {
            match limit {
                Some(limit) => self.tmux.run_timeout(call, limit),
                None => self.tmux.run(call),
            }
            .map_err(|e| self.tmux.explain(e))
        };
        // The hooks come after the build: registered inside it, they would fire for
        // every layout change the build itself queued (dozens of saves of what was just
        // restored from the record). The same call reports what now exists, in one
        // query rather than one per session. A small restore (the common one at login)
        // sends it all in one call: the few hook runs it sets off cost less than a
        // second round trip.
        let report = self
            .hooks()
            .cmd(["list-sessions", "-F", format::NAMED_IDENTITY]);
        let calls = recovery::pack(todo.iter().map(|r| batch_of(r)).collect());
        let panes: usize = todo.iter().map(|r| recovery::pane_count(r)).sum();
        let mut reported = None;
        let mut failed = Vec::new();
        let all: Result<(), Error> = match calls.as_slice() {
            [one] if panes <= recovery::SMALL_RESTORE_PANES => {
                run(&one.clone().extend(report.clone())).map(|out| reported = Some(out))
            }
            _ => calls.iter().try_for_each(|call| run(call).map(drop)),
        };
        match all {
            Ok(()) => {}
            // One bad record (a hand-edited layout, say) must not cost the others: undo
            // what this restore built, then go session by session. A server that went
            // away meanwhile (a shutdown) is left alone: the records stay.
            Err(Error::Tmux { .. }) if self.tmux.server_running() => {
                let built: Vec<String> = self
                    .live_names()?
                    .into_iter()
                    .filter(|n| !alive.contains(n))
                    .collect();
                let undo = built.iter().fold(Batch::new(), |b, n| {
                    b.cmd(["kill-session", "-t", &target::session(n)])
                });
                if !undo.is_empty() {
                    run(&undo)?;
                }
                for record in &todo {
                    match run(&batch_of(record)) {
                        Ok(_) => {}
                        Err(err @ Error::Tmux { .. }) => {
                            failed.push(format!("'{}' ({err})", record.name))
                        }
                        Err(err) => return Err(err.into()),
                    }
                }
            }
            Err(err) => return Err(err.into()),
        }
        let reported = match reported {
            Some(out) => out,
            None => run(&report)?,
        };
        let seen: BTreeMap<String, (String, ServerId)> = reported
            .lines()
            .filter_map(format::parse_named_identity)
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
            .filter(|n| seen.contains_key(n))
            .collect();
        log::info(format_args!("restored {}", restored.join(", ")));
        if !failed.is_empty() {
            anyhow::bail!(
                "restored {} session(s); could not restore {}",
                restored.len(),
                failed.join(", ")
            );
        }
        Ok(restored)
    }
}
