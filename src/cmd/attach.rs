//! `thanos-tmux [NAME]`, `attach` and `name`.

use super::{load_config, manager, manager_with, Global};
use crate::cli::{AttachArgs, NameArgs};
use crate::exit::Exit;
use anyhow::Result;
use std::path::PathBuf;
use thanos_tmux::{AutoAttach, Config};

/// `thanos-tmux [NAME] [-c DIR] [-d]` is `thanos-tmux attach` with the same words.
pub fn from_top_level(name: Option<String>, dir: Option<PathBuf>, detached: bool) -> AttachArgs {
    AttachArgs {
        name,
        dir,
        detached,
        auto: false,
    }
}

pub fn run(global: &Global, args: &AttachArgs) -> Result<Exit> {
    if args.auto {
        return auto(global);
    }
    let manager = manager(global, true)?;
    let target = manager.resolve(args.name.as_deref(), args.dir.as_deref())?;
    if args.detached {
        let created = manager.ensure_session(&target.name, &target.start_dir)?;
        if !global.quiet {
            let verb = if created { "created" } else { "exists:" };
            eprintln!("thanos-tmux: {verb} {}", target.name);
        }
        return Ok(Exit::Ok);
    }
    manager.attach(&target)?;
    Ok(Exit::Ok)
}

/// `last`: back to the session used before this one.
pub fn last(global: &Global) -> Result<Exit> {
    let manager = manager(global, true)?;
    let target = manager.previous_session()?;
    manager.attach(&target)?;
    Ok(Exit::Ok)
}

pub fn name(global: &Global, args: &NameArgs) -> Result<Exit> {
    let manager = manager(global, true)?;
    let dir = match &args.dir {
        Some(dir) => std::path::absolute(dir)?,
        None => std::env::current_dir()?,
    };
    let name = match super::forced_name() {
        Some(forced) => {
            thanos_tmux::check_name(&forced)?;
            forced
        }
        None => manager.pick_name(&dir)?.name,
    };
    crate::ui::out(&format!("{name}\n"))?;
    Ok(Exit::Ok)
}

/// The login path: silent when a guard says no, one line when something fails, never
/// an error exit that could break a login.
fn auto(global: &Global) -> Result<Exit> {
    let skipped = |why: &dyn std::fmt::Display| {
        eprintln!("thanos-tmux: auto-attach skipped, plain shell: {why}");
        Ok(Exit::Error)
    };
    // A config that cannot be used costs one line: tmux goes on with the defaults.
    let config = load_config(global).unwrap_or_else(|err| {
        eprintln!("thanos-tmux: {err:#}; using the built-in defaults");
        Config::default()
    });
    let manager = match manager_with(global, config) {
        Ok(manager) => manager,
        Err(err) => return skipped(&format_args!("{err:#}")),
    };
    match manager.auto_attach() {
        AutoAttach::Declined(_) => Ok(Exit::Ok),
        AutoAttach::Paused { minutes, announce } => {
            if announce {
                eprintln!(
                    "thanos-tmux: auto-attach paused for {minutes} min after repeated failures; run `thanos-tmux` to attach by hand"
                );
            }
            Ok(Exit::Ok)
        }
        AutoAttach::Failed(err) => skipped(&format_args!("{err:#}")),
    }
}
