//! The integration tests: one test binary, one module per theme, each test on its own
//! tmux server with its own HOME and XDG folders (`support::Sandbox`). The binary is
//! linked once and all its tests share the machine's cores. `cargo test --test it shell::`
//! runs one module.
//!
//! The property tests of the library's parsers are in the library, `src/properties.rs`.

// The tests start the binary, tmux, shells and tools themselves.
#![allow(clippy::disallowed_methods)]

mod shell_support;
mod support;

mod attach;
mod cli;
mod concurrency;
mod degrade;
mod docs;
mod doctor;
mod faults;
mod fixture;
mod hostile;
mod kill_cleanup;
mod lint;
mod list;
mod load;
mod login_hooks;
mod monitor;
mod pick;
mod recovery;
mod shell;
mod state_file;
mod terminal;
mod trust;
mod versions;
mod wire;
