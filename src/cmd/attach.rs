//! `thanos-tmux [NAME]`, `attach` and `name`.

use super::{manager, Global};
use crate::auto::{self, Failures, Pause};
use crate::cli::{AttachArgs, NameArgs};
use crate::manager::AUTO_LIMIT;
use crate::{log, state};
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

/// The login path: silent when a guard says no, one line when something fails, never
/// an error exit that could break a login, and a pause after repeated failures.
fn auto(global: &Global) -> Result<i32> {
    let skipped = |why: &dyn std::fmt::Display| {
        eprintln!("thanos-tmux: auto-attach skipped, plain shell: {why}");
        Ok(1)
    };
    let manager = match manager(global, true) {
        Ok(manager) => manager,
        Err(err) => return skipped(&format_args!("{err:#}")),
    };
    if let Some(why) = auto::guard_says_no(manager.config()) {
        log::debug(format_args!("auto-attach: {why}"));
        return Ok(0);
    }
    let failures = Failures::in_dir(manager.store().dir());
    let now = state::now();
    if let Pause::For { minutes, announce } = failures.pause(now) {
        if announce {
            eprintln!(
                "thanos-tmux: auto-attach paused for {minutes} min after repeated failures; run `thanos-tmux` to attach by hand"
            );
        }
        return Ok(0);
    }
    let manager = manager.with_limit(AUTO_LIMIT);
    let target = match manager.resolve(None, None) {
        Ok(target) => target,
        Err(err) => return skipped(&format_args!("{err:#}")),
    };
    if let Err(err) = manager.ensure_within(&target, AUTO_LIMIT) {
        failures.record(now);
        log::log(log::Level::Error, format_args!("auto-attach: {err:#}"));
        return skipped(&format_args!("{err:#}"));
    }
    failures.clear();
    let mark = manager
        .config()
        .auto_quit
        .then(|| auto::quit_mark(manager.store().dir()));
    if let Some(mark) = &mark {
        let _ = crate::state::write_private(mark, b"");
    }
    let err = manager.exec_attach(&target);
    if let Some(mark) = &mark {
        let _ = std::fs::remove_file(mark);
    }
    failures.record(now);
    skipped(&format_args!("{err:#}"))
}
