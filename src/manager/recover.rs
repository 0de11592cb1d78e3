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
        let _lock = self.store.exclusive("restore")?;
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
        let batches = todo
            .iter()
            .map(|r| {
                recovery::restore_batch(r, &self.config.restore_programs, &root).cmd([
                    "display-message",
                    "-p",
                    format::IDENTITY,
                ])
            })
            .collect();
        let mut seen = Vec::new();
        for call in recovery::pack(batches, self.hooks()) {
            let out = match limit {
                Some(limit) => self.tmux.run_timeout(&call, limit),
                None => self.tmux.run(&call),
            }
            .map_err(|e| self.tmux.explain(e))?;
            seen.extend(out.lines().filter_map(format::parse_identity));
        }
        let restored: Vec<String> = todo.iter().map(|r| r.name.clone()).collect();
        let socket = self.socket_key();
        self.update_state(|state| {
            let records = &mut state.server_mut(&socket).sessions;
            for (name, (id, server)) in restored.iter().zip(seen) {
                if let Some(record) = records.get_mut(name) {
                    record.id = Some(id);
                    record.server = Some(identity(&socket, server));
                }
            }
            Ok(())
        })?;
        log::info(format_args!("restored {}", restored.join(", ")));
        Ok(restored)
    }
}
