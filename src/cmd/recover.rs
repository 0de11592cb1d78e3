//! `save` and `restore`.

use super::{manager, say, Global};
use crate::cli::{NamesArgs, RestoreArgs};
use crate::manager::check_name;
use anyhow::Result;

pub fn save(global: &Global, args: &NamesArgs) -> Result<i32> {
    for name in &args.names {
        check_name(name)?;
    }
    let manager = manager(global, true)?;
    if !manager.tmux().server_running() {
        say(
            global,
            "thanos-tmux: no tmux server is running; nothing saved (the last layouts are kept)",
        );
        return Ok(0);
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
    Ok(0)
}

pub fn restore(global: &Global, args: &RestoreArgs) -> Result<i32> {
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
    Ok(0)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
