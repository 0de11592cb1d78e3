//! The environment variables thanos-tmux acts on, as its caller read them: the library
//! looks at no variable of its own accord, and a caller (or a test) may hand it any.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

/// Every variable the library reads, besides `EDITOR_VARS`.
const KEYS: [&str; 16] = [
    // Where things are.
    "HOME",
    "XDG_CONFIG_HOME",
    "XDG_STATE_HOME",
    "THANOS_TMUX_CONFIG",
    "THANOS_TMUX_STATE_DIR",
    // Which tmux server, and how to reach it.
    "THANOS_TMUX_SOCKET",
    "TMUX",
    "THANOS_TMUX_SPAWN",
    // How much the log says.
    "THANOS_TMUX_LOG",
    // Whether a shell start attaches.
    "THANOS_TMUX_AUTO",
    "LC_THANOS_TMUX",
    "TERM",
    "TERM_PROGRAM",
    "TERMINAL_EMULATOR",
    "SSH_TTY",
    "SSH_CONNECTION",
];

/// Variables an editor's or IDE's terminal sets (any value): no auto-attach there.
pub(crate) const EDITOR_VARS: [&str; 6] = [
    "INSIDE_EMACS",
    "VIM",
    "NVIM",
    "ZED_TERM",
    "INTELLIJ_ENVIRONMENT_READER",
    "VSCODE_RESOLVING_ENVIRONMENT",
];

/// The environment variables thanos-tmux acts on, as the caller found them. An empty
/// value counts as unset.
///
/// ```
/// use thanos_tmux::Environment;
/// let env = Environment::from_lookup(|key| match key {
///     "HOME" => Some("/home/ada".into()),
///     _ => None,
/// });
/// assert_eq!(env.home(), Some(std::path::PathBuf::from("/home/ada")));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    vars: BTreeMap<&'static str, OsString>,
}

impl Environment {
    /// The variables thanos-tmux acts on, each looked up with `get` (the command line
    /// passes `std::env::var_os`).
    pub fn from_lookup(get: impl Fn(&str) -> Option<OsString>) -> Environment {
        let vars = KEYS
            .iter()
            .chain(EDITOR_VARS.iter())
            .filter_map(|&key| Some((key, get(key).filter(|v| !v.is_empty())?)))
            .collect();
        Environment { vars }
    }

    /// This process's environment: what the command line hands the library.
    pub fn of_process() -> Environment {
        Environment::from_lookup(|key| std::env::var_os(key))
    }

    /// A variable, `None` when unset or empty.
    pub(crate) fn get(&self, key: &str) -> Option<&OsStr> {
        self.vars.get(key).map(OsString::as_os_str)
    }

    /// A variable as text (`None` when unset, empty or not UTF-8).
    pub(crate) fn text(&self, key: &str) -> Option<&str> {
        self.get(key)?.to_str()
    }

    /// A variable as a path.
    pub(crate) fn path(&self, key: &str) -> Option<PathBuf> {
        self.get(key).map(PathBuf::from)
    }

    /// `$HOME`.
    pub fn home(&self) -> Option<PathBuf> {
        self.path("HOME")
    }

    /// The id of the session of the tmux client this process runs in (`$TMUX` is
    /// `SOCKET,PID,SESSION`, the last without its `$`).
    pub(crate) fn tmux_session_id(&self) -> Option<String> {
        let id = self.text("TMUX")?.rsplit(',').next()?;
        id.parse::<u32>().ok().map(|n| format!("${n}"))
    }

    /// True inside tmux (`$TMUX` set).
    pub(crate) fn inside_tmux(&self) -> bool {
        self.get("TMUX").is_some()
    }
}
