//! `TmuxManager`, the library API of SPEC §10: tmux, the state file, the config and
//! naming, put together. The CLI is a thin layer over it.

use crate::config::Config;
use crate::error::Error;
use crate::naming::{self, Context};
use crate::recovery;
use crate::state::{self, ServerIdentity, SessionRecord, State, Store};
use crate::tmux::format::{self, ServerId, SessionRow};
use crate::tmux::{target, Batch, Socket, Tmux};
use crate::{hooks, log};
use anyhow::{Context as _, Result};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The names `main`, `dev` and `monitor` stand for (with the configured prefix).
pub const ALIASES: [&str; 3] = ["main", "dev", "monitor"];

/// How long the login path waits for tmux before falling through to a plain shell.
pub const AUTO_LIMIT: Duration = Duration::from_secs(2);

/// The greeting a session created by thanos-tmux shows once, in tmux's status line.
const GREETING: &str = "set-option @thanos-greeted 1 ; display-message \
\"#[fg=colour135,bold]thanos-tmux#[default] · session #[fg=colour220,bold]#{session_name}#[default] is home · detach: prefix d\"";

/// One session as `list` shows it (`list --json` prints these fields).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SessionInfo {
    pub name: String,
    pub windows: u32,
    /// Clients attached.
    pub attached: u32,
    /// Unix seconds.
    pub created: i64,
    pub last_attached: Option<i64>,
    pub start_dir: Option<String>,
    /// Recorded in the state file.
    pub managed: bool,
    /// Exists in tmux now.
    pub alive: bool,
}

/// A session to attach to: its name and the folder it starts in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub name: String,
    pub start_dir: PathBuf,
}

/// What `cleanup` did (`cleanup --json` prints these fields).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CleanupReport {
    pub removed: Vec<String>,
    pub kept: Vec<Kept>,
}

/// A record `cleanup` kept, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Kept {
    pub name: String,
    pub reason: String,
}

/// Manages the sessions of one tmux server.
///
/// ```no_run
/// use thanos_tmux::TmuxManager;
/// let manager = TmuxManager::new()?;
/// for session in manager.list_sessions()? {
///     println!("{} alive={}", session.name, session.alive);
/// }
/// # Ok::<(), anyhow::Error>(())
/// ```
pub struct TmuxManager {
    tmux: Tmux,
    store: Store,
    config: Config,
    /// The state as last read; dropped whenever this manager writes it.
    snapshot: Mutex<Option<Arc<State>>>,
}

impl TmuxManager {
    /// For the server chosen as the CLI would (`THANOS_TMUX_SOCKET`, `$TMUX`, default),
    /// with the user's config and state folder.
    pub fn new() -> Result<Self> {
        Self::with_socket(Socket::select(None, None))
    }

    /// For a given server, with the user's config and state folder.
    ///
    /// ```no_run
    /// use thanos_tmux::{Socket, TmuxManager};
    /// let work = TmuxManager::with_socket(Socket::Name("work".into()))?;
    /// work.ensure_session("notes", std::path::Path::new("/tmp"))?;
    /// # Ok::<(), anyhow::Error>(())
    /// ```
    pub fn with_socket(socket: Socket) -> Result<Self> {
        let (config, _) = Config::load()?;
        Ok(Self::from_parts(
            Tmux::new(socket),
            Store::locate()?,
            config,
        ))
    }

    /// From explicit parts (tests, embedding).
    pub fn from_parts(tmux: Tmux, store: Store, config: Config) -> Self {
        Self {
            tmux,
            store,
            config,
            snapshot: Mutex::new(None),
        }
    }

    /// The tmux server this manager talks to.
    pub fn tmux(&self) -> &Tmux {
        &self.tmux
    }

    /// The state store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The config in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The key of this server's records in the state file: its socket path.
    pub fn socket_key(&self) -> String {
        self.tmux.socket().path().to_string_lossy().into_owned()
    }

    /// The sessions tmux has now (empty when no server runs). One tmux call.
    pub fn live_sessions(&self) -> Result<Vec<SessionRow>, Error> {
        if !self.tmux.server_running() {
            return Ok(Vec::new());
        }
        let batch = Batch::new().cmd(["list-sessions", "-F", format::SESSIONS]);
        match self.tmux.run(&batch) {
            Ok(out) => Ok(format::parse_sessions(&out)),
            Err(Error::NoServer) => Ok(Vec::new()),
            Err(err) => Err(self.tmux.explain(err)),
        }
    }

    /// Names of the sessions tmux has now, for completion: the cheapest query there is.
    pub fn live_names(&self) -> Result<Vec<String>, Error> {
        if !self.tmux.server_running() {
            return Ok(Vec::new());
        }
        match self
            .tmux
            .run(&Batch::new().cmd(["list-sessions", "-F", "#{session_name}"]))
        {
            Ok(out) => Ok(out.lines().map(str::to_string).collect()),
            Err(Error::NoServer) => Ok(Vec::new()),
            Err(err) => Err(self.tmux.explain(err)),
        }
    }

    /// The pid of every pane's process, by session (for resource figures). One call.
    pub fn pane_pids(&self) -> Result<BTreeMap<String, Vec<u32>>, Error> {
        let mut out: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        if !self.tmux.server_running() {
            return Ok(out);
        }
        let batch = Batch::new().cmd(["list-panes", "-a", "-F", "#{pane_pid}\x1f#{session_name}"]);
        let text = match self.tmux.run(&batch) {
            Ok(text) => text,
            Err(Error::NoServer) => return Ok(out),
            Err(err) => return Err(self.tmux.explain(err)),
        };
        for line in text.lines() {
            if let Some((pid, name)) = line.split_once('\x1f') {
                if let Ok(pid) = pid.parse() {
                    out.entry(name.to_string()).or_default().push(pid);
                }
            }
        }
        Ok(out)
    }

    /// True when tmux has a session of exactly this name.
    pub fn session_exists(&self, name: &str) -> Result<bool, Error> {
        if !self.tmux.server_running() {
            return Ok(false);
        }
        match self
            .tmux
            .run(&Batch::new().cmd(["has-session", "-t", &target::session(name)]))
        {
            Ok(_) => Ok(true),
            Err(Error::NoSuchSession(_) | Error::NoServer) => Ok(false),
            Err(err) => Err(self.tmux.explain(err)),
        }
    }

    /// Reads the state (once per manager until it is written), telling the user when a
    /// corrupt file was moved aside.
    pub fn load_state(&self) -> Result<Arc<State>> {
        let mut cached = self.snapshot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(state) = cached.as_ref() {
            return Ok(Arc::clone(state));
        }
        let loaded = self.store.load()?;
        if let Some(warning) = loaded.warning {
            log::warn(warning);
        }
        let state = Arc::new(loaded.state);
        *cached = Some(Arc::clone(&state));
        Ok(state)
    }

    fn update_state<T>(&self, change: impl FnOnce(&mut State) -> Result<T>) -> Result<T> {
        *self.snapshot.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let (out, warning) = self.store.update(change)?;
        if let Some(warning) = warning {
            log::warn(warning);
        }
        Ok(out)
    }

    /// This server's records, by name.
    pub fn records(&self) -> Result<BTreeMap<String, SessionRecord>> {
        let state = self.load_state()?;
        Ok(state
            .server(&self.socket_key())
            .map(|s| s.sessions.clone())
            .unwrap_or_default())
    }

    /// One record of this server.
    fn recorded(&self, name: &str) -> Result<Option<SessionRecord>> {
        Ok(self
            .load_state()?
            .session(&self.socket_key(), name)
            .cloned())
    }

    /// Live sessions and recorded ones that tmux lost, by name. One tmux call.
    pub fn list_sessions(&self) -> Result<Vec<SessionInfo>> {
        let live = self.live_sessions()?;
        let records = self.records()?;
        self.observe(&live, &records)?;
        Ok(merge(&live, &records))
    }

    /// One session, live or recorded.
    pub fn session_info(&self, name: &str) -> Result<SessionInfo> {
        self.list_sessions()?
            .into_iter()
            .find(|s| s.name == name)
            .ok_or_else(|| Error::NoSuchSession(name.to_string()).into())
    }

    /// Brings records of live sessions up to date with the server that holds them now
    /// (id and server identity). Writes only when something changed.
    fn observe(
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

    /// The session `attach` would use: a typed NAME (checked, aliases expanded), else
    /// `THANOS_TMUX_SESSION`, else the name picked for `dir` (default: the current folder).
    pub fn resolve(&self, typed: Option<&str>, dir: Option<&Path>) -> Result<Target> {
        let dir = match dir {
            Some(dir) => {
                let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
                if !dir.is_dir() {
                    anyhow::bail!("folder {} does not exist", dir.display());
                }
                Some(dir)
            }
            None => None,
        };
        let forced = std::env::var("THANOS_TMUX_SESSION")
            .ok()
            .filter(|v| !v.is_empty());
        let records = self.records()?;
        if let Some(typed) = typed.map(str::to_string).or(forced) {
            check_name(&typed)?;
            let name = self.expand_alias(&typed)?;
            let start_dir = match dir {
                Some(dir) => dir,
                None => match records.get(&name).and_then(|r| r.start_dir.clone()) {
                    Some(recorded) => PathBuf::from(recorded),
                    None if name != typed => self.root(),
                    None => current_dir()?,
                },
            };
            return Ok(Target { name, start_dir });
        }
        let dir = match dir {
            Some(dir) => dir,
            None => current_dir()?,
        };
        let pick = self.pick(&dir, &records);
        Ok(Target {
            name: pick.name,
            start_dir: pick.start_dir,
        })
    }

    /// The name picked for a folder (`thanos-tmux name`).
    pub fn pick_name(&self, dir: &Path) -> Result<naming::Pick> {
        Ok(self.pick(dir, &self.records()?))
    }

    fn pick(&self, dir: &Path, records: &BTreeMap<String, SessionRecord>) -> naming::Pick {
        let home = home_dir();
        let root = self.root();
        let host = naming::host_name();
        let ctx = Context {
            home: &home,
            root: &root,
            prefix: &self.config.prefix,
            rules: &self.config.naming_rules,
            host: &host,
        };
        naming::pick(dir, &ctx, |name| {
            records.get(name)?.start_dir.as_ref().map(PathBuf::from)
        })
    }

    /// Start folder of thanos-main, thanos-dev and thanos-monitor.
    pub fn root(&self) -> PathBuf {
        std::env::var_os("THANOS_ROOT")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| self.config.root.clone())
            .unwrap_or_else(home_dir)
    }

    /// `main`, `dev`, `monitor` → the prefixed name, unless a live session has that
    /// literal name.
    fn expand_alias(&self, name: &str) -> Result<String, Error> {
        if !ALIASES.contains(&name) || self.session_exists(name)? {
            return Ok(name.to_string());
        }
        Ok(format!("{}{name}", self.config.prefix))
    }

    /// Makes sure the session exists without attaching ("duplicate session" is success).
    /// One tmux call. Returns true when it was created.
    pub fn ensure_session(&self, name: &str, start_dir: &Path) -> Result<bool> {
        self.ensure(
            &Target {
                name: name.to_string(),
                start_dir: start_dir.to_path_buf(),
            },
            None,
        )
    }

    fn ensure(&self, target: &Target, limit: Option<Duration>) -> Result<bool> {
        if self.config.auto_restore && !self.tmux.server_running() {
            // After a crash or reboot the first attach brings everything back.
            if self.restore_within(&[], limit)?.contains(&target.name) {
                return Ok(true);
            }
        }
        let record = self.restorable(target)?;
        let create = match &record {
            Some(record) => {
                recovery::restore_batch(record, &self.config.restore_programs, &self.root())
            }
            None => new_session(target, &["-d"]),
        };
        let batch = create
            .cmd([
                "display-message",
                "-p",
                "-t",
                &target::session_window(&target.name),
                format::IDENTITY,
            ])
            .extend(self.hooks());
        let result = match limit {
            Some(limit) => self.tmux.run_timeout(&batch, limit),
            None => self.tmux.run(&batch),
        };
        match result {
            Ok(out) => {
                self.record(target, format::parse_identity(&out))?;
                let how = if record.is_some() {
                    "restored"
                } else {
                    "created"
                };
                log::info(format_args!(
                    "{how} session '{}' in {}",
                    target.name,
                    target.start_dir.display()
                ));
                Ok(true)
            }
            Err(Error::Tmux { message, .. }) if message.starts_with("duplicate session") => {
                self.record(target, None)?;
                Ok(false)
            }
            Err(err) => Err(self.tmux.explain(err).into()),
        }
    }

    /// The record to rebuild `target` from, when auto_restore is on and a layout was saved.
    fn restorable(&self, target: &Target) -> Result<Option<SessionRecord>> {
        if !self.config.auto_restore {
            return Ok(None);
        }
        let record = self.recorded(&target.name)?;
        Ok(record.filter(|r| r.layout.as_ref().is_some_and(|l| !l.windows.is_empty())))
    }

    /// Records a session unless an up-to-date record exists (no write on the hot path).
    fn record(&self, target: &Target, seen: Option<(String, ServerId)>) -> Result<()> {
        let socket = self.socket_key();
        let start_dir = target.start_dir.to_string_lossy().into_owned();
        let seen = seen.map(|(id, server)| (id, identity(&socket, server)));
        let current = |r: &SessionRecord| {
            r.start_dir.is_some()
                && seen.as_ref().is_none_or(|(id, server)| {
                    r.id.as_ref() == Some(id) && r.server.as_ref() == Some(server)
                })
        };
        if self
            .load_state()?
            .session(&socket, &target.name)
            .is_some_and(current)
        {
            return Ok(());
        }
        self.update_state(|state| {
            let record = state
                .server_mut(&socket)
                .sessions
                .entry(target.name.clone())
                .or_insert_with(|| SessionRecord {
                    name: target.name.clone(),
                    created: state::now(),
                    ..SessionRecord::default()
                });
            if record.start_dir.is_none() {
                record.start_dir = Some(start_dir);
            }
            if let Some((id, server)) = seen {
                record.id = Some(id);
                record.server = Some(server);
            }
            Ok(())
        })
    }

    /// Attaches: inside tmux, creates the session detached when missing and switches
    /// the client (never nests); outside, replaces this process with tmux doing an
    /// atomic attach-or-create. Outside tmux this returns only on failure.
    pub fn attach(&self, target: &Target) -> Result<()> {
        if inside_tmux() {
            return self.switch(target);
        }
        if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
            anyhow::bail!(
                "not a terminal: cannot attach to '{}' (use --detached to create it without attaching)",
                target.name
            );
        }
        let server_down = !self.tmux.server_running();
        let has_records = server_down && !self.records()?.is_empty();
        if (self.config.auto_restore && has_records) || self.restorable(target)?.is_some() {
            // Something to rebuild first: ensure (restore) in one call, then attach.
            self.ensure(target, None)?;
            return Err(self.exec_attach(target));
        }
        self.record(target, None)?;
        let batch = new_session(target, &["-A"])
            .cmd(greet(&target.name))
            .extend(self.hooks());
        Err(self.tmux.exec(&batch).into())
    }

    /// Like `ensure_session`, but gives up after `limit` (the login path).
    pub fn ensure_within(&self, target: &Target, limit: Duration) -> Result<bool> {
        self.ensure(target, Some(limit))
    }

    /// Replaces this process with `tmux attach-session` to an existing session.
    /// Returns only on failure.
    pub fn exec_attach(&self, target: &Target) -> anyhow::Error {
        let batch = Batch::new()
            .cmd(["attach-session", "-t", &target::session(&target.name)])
            .cmd(greet(&target.name))
            .extend(self.hooks());
        self.tmux.exec(&batch).into()
    }

    fn switch(&self, target: &Target) -> Result<()> {
        let switch = Batch::new()
            .cmd(["switch-client", "-t", &target::session(&target.name)])
            .cmd(greet(&target.name))
            .extend(self.hooks());
        match self.tmux.run(&switch) {
            Ok(_) => self.record(target, None),
            Err(Error::NoSuchSession(_)) | Err(Error::NoServer) => {
                self.ensure(target, None)?;
                self.tmux.run(&switch).map_err(|e| self.tmux.explain(e))?;
                Ok(())
            }
            Err(err) => Err(self.tmux.explain(err).into()),
        }
    }

    /// Notes the time of a detach on the records of these sessions.
    pub fn record_detached(&self, names: &[String]) -> Result<()> {
        let socket = self.socket_key();
        let records = self.records()?;
        let known: Vec<&String> = names.iter().filter(|n| records.contains_key(*n)).collect();
        if known.is_empty() {
            return Ok(());
        }
        let now = state::now();
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
        let live: BTreeSet<String> = self.live_sessions()?.into_iter().map(|s| s.name).collect();
        let (present, missing): (Vec<&String>, Vec<&String>) =
            names.iter().partition(|n| live.contains(*n));
        if !present.is_empty() {
            let batch = present.iter().fold(Batch::new(), |b, name| {
                b.cmd(["kill-session", "-t", &target::session(name)])
            });
            match self.tmux.run(&batch) {
                // The last kill may take the server down with it; that is success.
                Ok(_) | Err(Error::NoServer) => {}
                Err(Error::Tmux { message, .. }) if message.contains("server exited") => {}
                Err(err) => return Err(self.tmux.explain(err).into()),
            }
            let socket = self.socket_key();
            self.update_state(|state| {
                let server = state.server_mut(&socket);
                for name in &present {
                    server.sessions.remove(*name);
                }
                Ok(())
            })?;
            for name in &present {
                log::info(format_args!("killed session '{name}'"));
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
        self.observe(&live, &records)?;
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
            .run(&Batch::new().cmd(["display-message", "-p", format::SERVER]))
            .ok()?;
        let server = format::parse_server(&out)?;
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
}

impl TmuxManager {
    /// The commands that register thanos-tmux's hooks on this server.
    pub(crate) fn hooks(&self) -> Batch {
        let config = Config::path().filter(|p| p.exists());
        hooks::register_current(self.store.dir(), config.as_deref())
    }

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

    fn restore_within(&self, names: &[String], limit: Option<Duration>) -> Result<Vec<String>> {
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

    /// The `session-closed` hook: drops the record only when the very server that last
    /// held the session runs without it (a shutdown fires this hook too), and ends the
    /// server when that was its last session.
    pub fn session_closed(&self, name: &str) -> Result<()> {
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
            let _ = self.tmux.run(&Batch::new().cmd(["kill-server"]));
        }
        Ok(())
    }

    /// The `session-renamed` hook: the record follows the session by its tmux id.
    pub fn session_renamed(&self, id: &str, new_name: &str) -> Result<()> {
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
    pub fn note_client(&self, name: &str, attached: bool) -> Result<()> {
        let socket = self.socket_key();
        let now = state::now();
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

/// Refuses a typed name that tmux would alter (exit 2), suggesting the sanitised form.
pub fn check_name(name: &str) -> Result<(), Error> {
    naming::check_typed(name).map_err(|why| {
        Error::Usage(format!(
            "session name {name:?} {why}; try '{}'",
            naming::sanitize(name, "thanos-main")
        ))
    })
}

/// `new-session -s NAME -c DIR` with extra flags, marking the session as ours.
fn new_session(target: &Target, flags: &[&str]) -> Batch {
    let mut args = vec!["new-session"];
    args.extend_from_slice(flags);
    let name = target::literal(&target.name);
    let dir = target::literal(&target.start_dir.to_string_lossy());
    args.extend_from_slice(&["-s", &name, "-c", &dir]);
    Batch::new().cmd(args).cmd([
        "set-option",
        "-t",
        &target::session_window(&target.name),
        "@thanos-managed",
        "1",
    ])
}

/// Shows the greeting once per session created by thanos-tmux.
fn greet(name: &str) -> Vec<String> {
    vec![
        "if-shell".into(),
        "-F".into(),
        "-t".into(),
        target::session_window(name),
        "#{?@thanos-greeted,,#{@thanos-managed}}".into(),
        GREETING.into(),
    ]
}

fn identity(socket: &str, server: ServerId) -> ServerIdentity {
    ServerIdentity {
        socket: socket.to_string(),
        pid: server.pid,
        start_time: server.start_time,
    }
}

fn merge(live: &[SessionRow], records: &BTreeMap<String, SessionRecord>) -> Vec<SessionInfo> {
    let mut out: Vec<SessionInfo> = live
        .iter()
        .map(|row| {
            let record = records.get(&row.name);
            SessionInfo {
                name: row.name.clone(),
                windows: row.windows,
                attached: row.attached,
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
    let alive: BTreeSet<&str> = live.iter().map(|r| r.name.as_str()).collect();
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

/// True inside tmux (`$TMUX` set).
pub fn inside_tmux() -> bool {
    std::env::var_os("TMUX").is_some_and(|v| !v.is_empty())
}

fn home_dir() -> PathBuf {
    std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| "/".into())
}

fn current_dir() -> Result<PathBuf> {
    std::env::current_dir().context("cannot read the current folder (was it deleted?)")
}
