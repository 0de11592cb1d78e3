//! thanos-tmux: every terminal gets a persistent home in tmux.
//!
//! [`TmuxManager`] manages the sessions of one tmux server: it names a session after
//! the folder a terminal opens in, creates or attaches it, records it so that it comes
//! back after a crash or a reboot, and runs the daemons of the monitor session. The
//! `thanos-tmux` command line is a thin layer over it.
//!
//! ```no_run
//! use thanos_tmux::{Config, Environment, Socket, TmuxManager};
//!
//! // The library reads no environment variable itself: the caller hands them over.
//! let env = Environment::of_process();
//! let manager = TmuxManager::open(Socket::Name("work".into()), Config::default(), env)?;
//! manager.ensure_session("notes", std::path::Path::new("/tmp"))?;
//! for session in manager.list_sessions()? {
//!     println!("{} alive={} recorded={}", session.name, session.alive, session.managed);
//! }
//! # Ok::<(), anyhow::Error>(())
//! ```

#![warn(missing_docs, unreachable_pub)]
#![deny(clippy::undocumented_unsafe_blocks)]

mod auto;
mod config;
mod daemons;
mod env;
mod error;
mod hooks;
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod internals;
mod log;
mod manager;
mod naming;
mod os;
mod pick;
mod procs;
mod recovery;
mod state;
mod suggest;
mod tmux;

#[cfg(test)]
mod properties;

pub use auto::AutoAttach;
pub use config::{Config, ConfigFile, Daemon, NamingRule, RestartPolicy, SecondTerminal};
pub use daemons::DaemonStatus;
pub use env::Environment;
pub use error::Error;
pub use log::{init_logging, log_error};
pub use manager::{
    check_name, CleanupReport, Kept, SessionInfo, StateHealth, Target, TmuxManager, AUTO_LIMIT,
};
pub use pick::{add_folders, Candidate, Kind, ProjectFolders};
pub use procs::Usage;
pub use suggest::did_you_mean;
pub use tmux::Socket;
