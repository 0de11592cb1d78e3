//! `hook EVENT`: the login-system events and tmux's hooks. They never fail a login:
//! everything is logged, at most one line is printed, and the exit code is 0.

use super::{manager, Global};
use crate::cli::HookArgs;
use crate::exit::Exit;
use anyhow::Result;

pub fn run(global: &Global, args: &HookArgs) -> Result<Exit> {
    let outcome = manager(global, true).and_then(|manager| match args.event.as_str() {
        "session-start" => manager.on_login(),
        "session-end" => manager.on_logout(),
        event => manager.on_tmux_event(event, &args.args),
    });
    if let Err(err) = outcome {
        thanos_tmux::log_error(format_args!("hook {}: {err:#}", args.event));
        if !global.quiet {
            eprintln!("thanos-tmux: hook {}: {err:#}", args.event);
        }
    }
    Ok(Exit::Ok)
}
