//! The integration tests: one test binary, one module per theme, each test on its own
//! tmux server with its own HOME and XDG folders (`support::Sandbox`). The binary is
//! linked once and all its tests share the machine's cores. `cargo test --test it shell::`
//! runs one module.
//!
//! The property tests of the library's parsers are apart, in `tests/properties.rs`.

mod shell_support;
mod support;

mod attach;
mod cli;
mod concurrency;
mod degrade;
mod faults;
mod fixture;
mod hostile;
mod kill_cleanup;
mod lint;
mod list;
mod load;
mod login_hooks;
mod monitor;
mod recovery;
mod shell;
mod state_file;
mod terminal;
mod trust;
mod versions;
mod wire;
