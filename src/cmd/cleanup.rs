//! `cleanup` and `forget`: dropping records, never what a crash left restorable.

use super::{manager, paint_out, print_json, say, Global};
use crate::cli::{CleanupArgs, ForgetArgs};
use crate::exit::Exit;
use crate::ui;
use anyhow::Result;
use thanos_tmux::Error;

pub fn run(global: &Global, args: &CleanupArgs) -> Result<Exit> {
    let report = manager(global, false)?.cleanup_orphaned_state(args.dry_run)?;
    if args.json {
        print_json(&report)?;
        return Ok(Exit::Ok);
    }
    let paint = paint_out(global);
    let verb = if args.dry_run {
        "would remove"
    } else {
        "removed"
    };
    let mut text = String::new();
    for name in &report.removed {
        text.push_str(&format!("{} {}\n", paint.gold(verb), paint.purple(name)));
    }
    for kept in &report.kept {
        text.push_str(&format!(
            "{} {}: {}\n",
            paint.dim("kept"),
            paint.purple(&kept.name),
            kept.reason
        ));
    }
    if text.is_empty() {
        say(global, "thanos-tmux: nothing to clean up");
    }
    ui::out(&text)?;
    Ok(Exit::Ok)
}

pub fn forget(global: &Global, args: &ForgetArgs) -> Result<Exit> {
    let manager = manager(global, false)?;
    if args.dead {
        // tmux is asked only when a server runs; a missing tmux is no reason to fail here.
        let dropped = manager
            .forget_dead()
            .map_err(|e| match e.downcast::<Error>() {
                Ok(Error::TmuxMissing) => {
                    anyhow::anyhow!("cannot tell which records are dead: tmux is not installed")
                }
                Ok(other) => other.into(),
                Err(e) => e,
            })?;
        for name in &dropped {
            say(global, &format!("thanos-tmux: forgot {name}"));
        }
        return Ok(Exit::Ok);
    }
    let missing = manager.forget(&args.names)?;
    for name in args.names.iter().filter(|n| !missing.contains(n)) {
        say(global, &format!("thanos-tmux: forgot {name}"));
    }
    for name in &missing {
        eprintln!("thanos-tmux: no record of '{name}'");
    }
    Ok(if missing.is_empty() {
        Exit::Ok
    } else {
        Exit::NoSession
    })
}
