//! `save` and `restore`.

use super::{manager, say, Global};
use crate::cli::{NamesArgs, RestoreArgs};
use crate::exit::Exit;
use anyhow::Result;
use thanos_tmux::check_name;

pub fn save(global: &Global, args: &NamesArgs) -> Result<Exit> {
    for name in &args.names {
        check_name(name)?;
    }
    let manager = manager(global, true)?;
    if !manager.server_running() {
        say(
            global,
            "thanos-tmux: no tmux server is running; nothing saved (the last layouts are kept)",
        );
        return Ok(Exit::Ok);
    }
    let saved = manager.save(&args.names)?;
    let windows: usize = saved.len();
    say(
        global,
        &format!(
            "thanos-tmux: saved {windows} session{}: {}",
            plural(windows),
            saved.join(", ")
        ),
    );
    Ok(Exit::Ok)
}

pub fn restore(global: &Global, args: &RestoreArgs) -> Result<Exit> {
    for name in &args.names {
        check_name(name)?;
    }
    let manager = manager(global, true)?;
    let restored = manager.restore(&args.names)?;
    if restored.is_empty() {
        say(
            global,
            "thanos-tmux: nothing to restore (every recorded session is alive)",
        );
    } else {
        say(
            global,
            &format!(
                "thanos-tmux: restored {} session{}: {}",
                restored.len(),
                plural(restored.len()),
                restored.join(", ")
            ),
        );
    }
    Ok(Exit::Ok)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
