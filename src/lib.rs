//! thanos-tmux: every terminal gets a persistent home in tmux.
//!
//! The binary is a thin layer over this crate. `TmuxManager` is the entry point for
//! embedding; the modules below each own one concern (see docs/architecture.md).

pub mod auto;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod daemons;
pub mod error;
pub mod hooks;
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod internals;
pub mod log;
pub mod manager;
pub mod naming;
pub mod procs;
pub mod recovery;
pub mod snippet;
pub mod state;
pub mod tmux;
pub mod ui;

pub use error::Error;
pub use manager::{CleanupReport, SessionInfo, Target, TmuxManager};
pub use tmux::Socket;
