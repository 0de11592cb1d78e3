//! `TmuxManager`, the library API: tmux, the state file, the config and
//! naming, put together. The CLI is a thin layer over it.

use crate::config::Config;
use crate::env::Environment;
use crate::error::Error;
use crate::naming;
use crate::procs::{Sampler, Usage};
use crate::state::{ServerIdentity, SessionRecord, State, Store};
use crate::tmux::format::{self, ServerId};
use crate::tmux::{Batch, Socket, Tmux};
use crate::{hooks, log};
use anyhow::{Context as _, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod attach;
mod events;
mod lifecycle;
mod list;
mod pick;
mod recover;

/// The names `main`, `dev` and `monitor` stand for (with the configured prefix).
pub(crate) const ALIASES: [&str; 3] = ["main", "dev", "monitor"];

/// How long the login path waits for tmux before falling through to a plain shell.
pub const AUTO_LIMIT: Duration = Duration::from_secs(2);

/// One session as `list` shows it (`list --json` prints these fields).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SessionInfo {
    /// The session's name.
    pub name: String,
    /// Windows (live), or windows recorded.
    pub windows: u32,
    /// Clients attached.
    pub attached: u32,
    /// Unix seconds.
    pub created: i64,
    /// When a client last attached, Unix seconds.
    pub last_attached: Option<i64>,
    /// The folder it starts in.
    pub start_dir: Option<String>,
    /// Recorded in the state file.
    pub managed: bool,
    /// Exists in tmux now.
    pub alive: bool,
}

/// What `state_health` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateHealth {
    /// The state file.
    pub path: PathBuf,
    /// Records of every server in it.
    pub records: usize,
    /// What was wrong with it and what was done (a corrupt file moved aside, …).
    pub warning: Option<String>,
    /// Group or others may read or write it.
    pub open_to_others: bool,
}

/// A session to attach to: its name and the folder it starts in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The session's name.
    pub name: String,
    /// The folder it starts in.
    pub start_dir: PathBuf,
}

/// What `cleanup` did (`cleanup --json` prints these fields).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CleanupReport {
    /// Records dropped.
    pub removed: Vec<String>,
    /// Records kept, with why.
    pub kept: Vec<Kept>,
}

/// A record `cleanup` kept, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Kept {
    /// The record's session name.
    pub name: String,
    /// Why it stays.
    pub reason: String,
}

/// What `has-session` found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Presence {
    There,
    Missing,
    NoServer,
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
    /// The environment variables the caller handed over.
    env: Environment,
    /// The state as last read; dropped whenever this manager writes it.
    snapshot: Mutex<Option<Arc<State>>>,
    /// What the caller chose over the config and the current folder.
    given: Given,
}

/// Choices a caller makes over the config and the current folder, usually from the
/// environment (`THANOS_TMUX_SESSION`, `THANOS_ROOT`).
#[derive(Clone, Debug, Default)]
struct Given {
    /// The session every terminal gets, whatever its folder.
    session: Option<String>,
    /// The start folder of the main, dev and monitor sessions.
    root: Option<PathBuf>,
}

impl TmuxManager {
    /// As the command line starts: this process's environment picks the server
    /// (`THANOS_TMUX_SOCKET`, `$TMUX`, else tmux's default), the config file and the
    /// state folder.
    pub fn new() -> Result<Self> {
        let env = Environment::of_process();
        Self::with_socket(Socket::select(None, None, &env))
    }

    /// For a given server; this process's environment picks the config file and the
    /// state folder.
    ///
    /// ```no_run
    /// use thanos_tmux::{Socket, TmuxManager};
    /// let work = TmuxManager::with_socket(Socket::Name("work".into()))?;
    /// work.ensure_session("notes", std::path::Path::new("/tmp"))?;
    /// # Ok::<(), anyhow::Error>(())
    /// ```
    pub fn with_socket(socket: Socket) -> Result<Self> {
        let env = Environment::of_process();
        let config = Config::load(&env)?.config;
        Self::open(socket, config, env)
    }

    /// For a given server and config, with the variables in `env` and nothing else
    /// of the process's: the state folder (`THANOS_TMUX_STATE_DIR`, else
    /// `$XDG_STATE_HOME/thanos-tmux`, else `~/.local/state/thanos-tmux`), `$HOME` for
    /// names, the guards of `auto_attach`, `THANOS_TMUX_SPAWN=1` (every tmux command
    /// through the `tmux` binary).
    ///
    /// ```no_run
    /// use thanos_tmux::{Config, Environment, Socket, TmuxManager};
    /// let env = Environment::of_process();
    /// let config = Config::load(&env)?.config;
    /// let manager = TmuxManager::open(Socket::select(None, None, &env), config, env)?;
    /// println!("{} sessions", manager.list_sessions()?.len());
    /// # Ok::<(), anyhow::Error>(())
    /// ```
    pub fn open(socket: Socket, config: Config, env: Environment) -> Result<Self> {
        let spawn_only = env.text("THANOS_TMUX_SPAWN") == Some("1");
        let store = Store::locate(&env)?;
        Ok(Self {
            env,
            ..Self::from_parts(Tmux::new(socket, spawn_only), store, config)
        })
    }

    /// The environment variables this manager acts on.
    pub(crate) fn env(&self) -> &Environment {
        &self.env
    }

    /// The same server and state folder with another config.
    pub fn with_config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    pub(crate) fn from_parts(tmux: Tmux, store: Store, config: Config) -> Self {
        Self {
            tmux,
            store,
            config,
            env: Environment::default(),
            snapshot: Mutex::new(None),
            given: Given::default(),
        }
    }

    /// The session every terminal gets when no name is typed, whatever its folder
    /// (the CLI takes it from `THANOS_TMUX_SESSION`); `None` picks by folder.
    pub fn with_session_name(mut self, name: Option<String>) -> Self {
        self.given.session = name;
        self
    }

    /// The start folder of the main, dev and monitor sessions, over the config's
    /// `root` (the CLI takes it from `THANOS_ROOT`).
    pub fn with_root(mut self, root: Option<PathBuf>) -> Self {
        self.given.root = root;
        self
    }

    /// The tmux server this manager talks to.
    pub(crate) fn tmux(&self) -> &Tmux {
        &self.tmux
    }

    /// The state store.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// The version of `tmux` on PATH (`3.5a`); an error when it is missing or older
    /// than 3.2.
    pub fn tmux_version(&self) -> Result<String, Error> {
        self.tmux.version()
    }

    /// True when a server listens on this manager's socket (a `connect`, no process).
    pub fn server_running(&self) -> bool {
        self.tmux.server_running()
    }

    /// The version of the running server, which may differ from `tmux_version` after
    /// an upgrade; `None` when no server runs or it does not say.
    pub fn server_version(&self) -> Option<String> {
        self.tmux.server_version()
    }

    /// The state file.
    pub fn state_path(&self) -> PathBuf {
        self.store.path()
    }

    /// What the state file looks like: where it is, how many records it holds, what
    /// was wrong with it, whether others may read it. An error when it cannot be read.
    pub fn state_health(&self) -> Result<StateHealth> {
        use std::os::unix::fs::PermissionsExt;
        let path = self.store.path();
        let loaded = self.store.load()?;
        let records = loaded
            .state
            .servers
            .values()
            .map(|s| s.sessions.len())
            .sum();
        let open_to_others =
            std::fs::metadata(&path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0);
        Ok(StateHealth {
            path,
            records,
            warning: loaded.warning,
            open_to_others,
        })
    }

    /// What the processes of each session's panes use now, by session name; `None`
    /// where that cannot be known (a system without `/proc`).
    pub fn session_usage(&self) -> Result<Option<BTreeMap<String, Usage>>, Error> {
        let sampler = Sampler::new();
        Ok(self
            .pane_pids()?
            .into_iter()
            .map(|(name, pids)| Some((name, sampler.trees(&pids)?)))
            .collect())
    }

    /// The config in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Gives all tmux calls from now on `limit` together (the login path: a stuck server
    /// must not hold a terminal's prompt).
    pub fn with_limit(mut self, limit: Duration) -> Self {
        self.tmux.set_limit(limit);
        self
    }

    /// The key of this server's records in the state file: its socket path.
    pub fn socket_key(&self) -> String {
        self.tmux.socket().path().to_string_lossy().into_owned()
    }

    /// Reads the state (once per manager until it is written), telling the user when a
    /// corrupt file was moved aside.
    pub(crate) fn load_state(&self) -> Result<Arc<State>> {
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
    pub(crate) fn records(&self) -> Result<BTreeMap<String, SessionRecord>> {
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

    /// True when this server has thanos-tmux's hooks (as `hooks` registers them).
    pub fn hooks_registered(&self) -> Result<bool, Error> {
        let out = self.tmux.run(&Batch::new().show_hooks())?;
        Ok(format::hook_command(&out, hooks::EVENTS[0], hooks::INDEX)
            .is_some_and(|command| command.contains("thanos-tmux")))
    }

    /// The commands that register thanos-tmux's hooks on this server.
    pub(crate) fn hooks(&self) -> Batch {
        let config = Config::path(&self.env).filter(|p| p.exists());
        hooks::register_current(self.store.dir(), config.as_deref())
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

fn identity(socket: &str, server: ServerId) -> ServerIdentity {
    ServerIdentity {
        socket: socket.to_string(),
        pid: server.pid,
        start_time: server.start_time,
    }
}

fn current_dir() -> Result<PathBuf> {
    std::env::current_dir().context("cannot read the current folder (was it deleted?)")
}
