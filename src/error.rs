//! The typed errors a caller may branch on.

use std::fmt;

/// Errors a caller may want to tell apart; everything else travels as `anyhow::Error`.
#[derive(Debug)]
pub enum Error {
    /// tmux is not on PATH (or could not be executed).
    TmuxMissing,
    /// tmux is older than 3.2 or answered in a way we cannot use.
    TmuxUnusable(String),
    /// No tmux server is running on the selected socket.
    NoServer,
    /// No session with this exact name.
    NoSuchSession(String),
    /// Bad command-line input, e.g. a NAME that tmux would alter.
    Usage(String),
    /// A tmux command failed; carries the command and tmux's own message.
    Tmux {
        /// The commands of the call (`new-session; set-option`).
        command: String,
        /// What tmux said.
        message: String,
    },
    /// tmux did not answer in time: how long was waited, and for what.
    Timeout(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::TmuxMissing => write!(
                f,
                "tmux is not installed (or not on PATH); install tmux 3.2 or newer \
                 (apt install tmux, dnf install tmux, brew install tmux)"
            ),
            Error::TmuxUnusable(why) => write!(f, "tmux is unusable: {why}"),
            Error::NoServer => f.write_str("no tmux server is running"),
            Error::NoSuchSession(name) => write!(f, "no such session: '{name}'"),
            Error::Usage(msg) => f.write_str(msg),
            Error::Tmux { command, message } => write!(f, "tmux {command}: {message}"),
            Error::Timeout(what) => write!(f, "tmux did not answer within {what}"),
        }
    }
}

impl std::error::Error for Error {}
