//! `thanos-tmux [NAME]`, `attach` and `name`.

use super::{manager, Global};
use crate::cli::{AttachArgs, NameArgs};
use crate::manager::inside_tmux;
use anyhow::Result;
use std::path::PathBuf;

/// `thanos-tmux [NAME] [-c DIR] [-d]` is `thanos-tmux attach` with the same words.
pub fn from_top_level(name: Option<String>, dir: Option<PathBuf>, detached: bool) -> AttachArgs {
    AttachArgs {
        name,
        dir,
        detached,
        auto: false,
    }
}

pub fn run(global: &Global, args: &AttachArgs) -> Result<i32> {
    let manager = manager(global, true)?;
    let target = manager.resolve(args.name.as_deref(), args.dir.as_deref())?;
    if args.detached {
        let created = manager.ensure_session(&target.name, &target.start_dir)?;
        if !global.quiet {
            let verb = if created { "created" } else { "exists:" };
            eprintln!("thanos-tmux: {verb} {}", target.name);
        }
        return Ok(0);
    }
    if args.auto {
        // The login path never nests and never attaches without a terminal.
        if inside_tmux() || !manager.config().auto_attach {
            return Ok(0);
        }
        manager.attach_auto(&target)?;
        return Ok(0);
    }
    manager.attach(&target)?;
    Ok(0)
}

pub fn name(global: &Global, args: &NameArgs) -> Result<i32> {
    let manager = manager(global, true)?;
    let dir = match &args.dir {
        Some(dir) => std::path::absolute(dir)?,
        None => std::env::current_dir()?,
    };
    let forced = std::env::var("THANOS_TMUX_SESSION")
        .ok()
        .filter(|v| !v.is_empty());
    let name = match forced {
        Some(forced) => {
            crate::manager::check_name(&forced)?;
            forced
        }
        None => manager.pick_name(&dir)?.name,
    };
    crate::ui::out(&format!("{name}\n"))?;
    Ok(0)
}
