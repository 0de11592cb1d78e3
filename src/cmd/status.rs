//! `status`: tmux, server, state and sessions at a glance.

use super::{list, manager, paint_err, paint_out, print_json, tilde, Global};
use crate::error::exit;
use crate::manager::SessionInfo;
use crate::ui;
use anyhow::Result;
use serde::Serialize;

#[derive(Serialize)]
struct Status {
    tmux: TmuxStatus,
    state: StateStatus,
    sessions: Vec<SessionInfo>,
    daemons: Vec<serde_json::Value>,
}

#[derive(Serialize)]
struct TmuxStatus {
    available: bool,
    version: Option<String>,
    server_running: bool,
    socket: String,
}

#[derive(Serialize)]
struct StateStatus {
    path: String,
    ok: bool,
    sessions: usize,
}

pub fn run(global: &Global, json: bool) -> Result<i32> {
    let manager = manager(global, false)?;
    let version = manager.tmux().version();
    let (sessions, state_error) = match manager.list_sessions() {
        Ok(sessions) => (sessions, None),
        Err(err) => (Vec::new(), Some(format!("{err:#}"))),
    };
    let status = Status {
        tmux: TmuxStatus {
            available: version.is_ok(),
            version: version.as_ref().ok().cloned(),
            server_running: manager.tmux().server_running(),
            socket: manager.socket_key(),
        },
        state: StateStatus {
            path: manager.store().path().to_string_lossy().into_owned(),
            ok: state_error.is_none(),
            sessions: sessions.iter().filter(|s| s.managed).count(),
        },
        sessions,
        daemons: Vec::new(),
    };
    if json {
        print_json(&status)?;
    } else {
        print_human(
            global,
            &status,
            version.as_ref().err(),
            state_error.as_deref(),
        )?;
    }
    Ok(match (&version, &state_error) {
        (Err(_), _) => exit::TMUX,
        (_, Some(_)) => exit::ERROR,
        _ => exit::OK,
    })
}

fn print_human(
    global: &Global,
    s: &Status,
    tmux_error: Option<&crate::Error>,
    state_error: Option<&str>,
) -> Result<()> {
    let (out, err) = (paint_out(global), paint_err(global));
    if !global.quiet {
        eprintln!(
            "{} {} {}",
            err.purple("◆ thanos-tmux"),
            err.gold(env!("CARGO_PKG_VERSION")),
            err.dim("· every terminal has a home")
        );
    }
    let tmux = match (tmux_error, &s.tmux.version) {
        (Some(e), _) => out.red(&e.to_string()),
        (None, Some(v)) => v.clone(),
        (None, None) => String::new(),
    };
    let server = if s.tmux.server_running {
        out.green("running")
    } else {
        out.dim("not running")
    };
    let state = match state_error {
        Some(e) => out.red(e),
        None => format!("{} ({} recorded)", tilde(&s.state.path), s.state.sessions),
    };
    let alive = s.sessions.iter().filter(|x| x.alive).count();
    let mut text = format!(
        "{}     {tmux}\n{}   {server} on {}\n{}    {state}\n{} {alive} live, {} not alive\n",
        out.bold("tmux"),
        out.bold("server"),
        s.tmux.socket,
        out.bold("state"),
        out.bold("sessions"),
        s.sessions.len() - alive
    );
    if !s.sessions.is_empty() {
        text.push('\n');
        text.push_str(&list::table(&s.sessions, out));
    }
    ui::out(&text)?;
    Ok(())
}
