//! The exit codes of the command line, decided in one place.

use thanos_tmux::Error;

/// How the process ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Done.
    Ok = 0,
    /// Something failed.
    Error = 1,
    /// Bad command-line input.
    Usage = 2,
    /// tmux is missing or unusable.
    Tmux = 3,
    /// No such session.
    NoSession = 4,
}

impl Exit {
    /// The code an error ends the process with.
    pub fn of(err: &anyhow::Error) -> Exit {
        match err.downcast_ref::<Error>() {
            Some(Error::TmuxMissing | Error::TmuxUnusable(_)) => Exit::Tmux,
            Some(Error::NoSuchSession(_)) => Exit::NoSession,
            Some(Error::Usage(_)) => Exit::Usage,
            _ => Exit::Error,
        }
    }

    /// The code as the process returns it.
    pub fn code(self) -> i32 {
        self as i32
    }
}
