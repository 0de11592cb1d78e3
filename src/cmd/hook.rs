//! `hook EVENT`: the login-system events. They never fail a login: everything is
//! logged, at most one line is printed, and the exit code is 0.

use super::{manager, Global};
use crate::cli::HookArgs;
use crate::manager::TmuxManager;
use crate::{hooks, log};
use anyhow::Result;

pub fn run(global: &Global, args: &HookArgs) -> Result<i32> {
    let outcome = match args.event.as_str() {
        "session-start" => manager(global, true).and_then(|m| session_start(&m)),
        "session-end" => {
            // The terminal may be closing under us: finish the job anyway.
            // SAFETY: setting a signal disposition to SIG_IGN has no preconditions.
            unsafe { libc::signal(libc::SIGHUP, libc::SIG_IGN) };
            manager(global, true).and_then(|m| session_end(&m))
        }
        event if hooks::EVENTS.contains(&event) => {
            manager(global, true).and_then(|m| tmux_event(&m, event, &args.args))
        }
        other => Err(anyhow::anyhow!("unknown hook event '{other}'")),
    };
    if let Err(err) = outcome {
        log::log(
            log::Level::Error,
            format_args!("hook {}: {err:#}", args.event),
        );
        if !global.quiet {
            eprintln!("thanos-tmux: hook {}: {err:#}", args.event);
        }
    }
    Ok(0)
}

/// Login: restore what the server lost (ensuring restores everything when the server
/// is down and auto_restore is on), make sure thanos-main exists (detached), start the
/// daemons; never attach.
fn session_start(manager: &TmuxManager) -> Result<()> {
    let main = manager.config().prefix.clone() + "main";
    manager.ensure_session(&main, &manager.root())?;
    if !manager.config().daemons.is_empty() {
        manager.daemons_start(&[])?;
    }
    Ok(())
}

/// Logout: save the layouts, record the detach, clean up what was closed on purpose, and kill the
/// `kill_on_logout` sessions that no client is attached to.
pub fn session_end(manager: &TmuxManager) -> Result<()> {
    if !manager.tmux().server_running() {
        return Ok(());
    }
    // A `cd` fires no hook: the logout is the last chance to catch it.
    manager.save(&[])?;
    let unattached: Vec<String> = manager
        .live_sessions()?
        .into_iter()
        .filter(|s| s.attached == 0)
        .map(|s| s.name)
        .collect();
    manager.record_detached(&unattached)?;
    manager.cleanup_orphaned_state(false)?;
    let doomed: Vec<String> = manager
        .config()
        .kill_on_logout
        .iter()
        .filter(|n| unattached.contains(n))
        .cloned()
        .collect();
    if !doomed.is_empty() {
        manager.kill_sessions(&doomed)?;
        log::info(format_args!("logout killed {}", doomed.join(", ")));
    }
    Ok(())
}

/// A tmux hook: keep the record of the session concerned true.
fn tmux_event(manager: &TmuxManager, event: &str, args: &[String]) -> Result<()> {
    let Some(name) = hooks::session_of(event, args) else {
        return Ok(());
    };
    log::debug(format_args!("hook {event} {name}"));
    let save = || manager.save_recorded(name);
    match event {
        "session-closed" => manager.session_closed(name),
        "session-renamed" => match hooks::arg(args, "id") {
            Some(id) => manager.session_renamed(id, name),
            None => Ok(()),
        },
        "client-attached" => manager.note_client(name, true),
        "pane-died" => {
            if let Some(pane) = hooks::arg(args, "pane") {
                manager.daemon_died(pane)?;
            }
            hooks::coalesce(manager.store().dir(), name, save)
        }
        "client-detached" => {
            manager.note_client(name, false)?;
            hooks::coalesce(manager.store().dir(), name, save)
        }
        _ => hooks::coalesce(manager.store().dir(), name, save),
    }
}
