//! `status`: tmux, server, state and sessions at a glance.

use super::{daemons, manager, paint_err, paint_out, print_json, Global};
use crate::exit::Exit;
use crate::ui::{self, Paint};
use anyhow::Result;
use serde::Serialize;
use thanos_tmux::{DaemonStatus, SessionInfo};

#[derive(Serialize)]
struct Status {
    tmux: TmuxStatus,
    state: StateStatus,
    auto_attach: AutoStatus,
    sessions: Vec<SessionStatus>,
    daemons: Vec<DaemonStatus>,
}

/// Whether auto-attach on this server is paused after repeated failures.
#[derive(Serialize)]
struct AutoStatus {
    /// Unix seconds when the pause ends; null when there is none.
    paused_until: Option<i64>,
}

/// A session as `list` shows it, plus what its panes' processes use (null where the
/// system cannot tell).
#[derive(Serialize)]
struct SessionStatus {
    #[serde(flatten)]
    info: SessionInfo,
    processes: Option<u32>,
    cpu_percent: Option<f64>,
    memory_bytes: Option<u64>,
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

pub fn run(global: &Global, json: bool) -> Result<Exit> {
    // A bad config costs the daemons' part, never the rest of the picture.
    let manager = match manager(global, true) {
        Ok(manager) => manager,
        Err(err) => {
            eprintln!("thanos-tmux: {err:#}");
            manager(global, false)?
        }
    };
    let version = manager.tmux_version();
    let (sessions, state_error) = match manager.list_sessions() {
        Ok(sessions) => (sessions, None),
        Err(err) => (Vec::new(), Some(format!("{err:#}"))),
    };
    // A session without panes (not alive) uses nothing.
    let usage = manager.session_usage().unwrap_or(Some(Default::default()));
    let sessions: Vec<SessionStatus> = sessions
        .into_iter()
        .map(|info| {
            let usage = usage
                .as_ref()
                .map(|u| u.get(&info.name).copied().unwrap_or_default());
            SessionStatus {
                info,
                processes: usage.map(|u| u.processes),
                cpu_percent: usage.map(|u| u.cpu_percent),
                memory_bytes: usage.map(|u| u.memory_bytes),
            }
        })
        .collect();
    let (daemons, daemon_error) = match manager.daemons_status(true) {
        Ok(daemons) => (daemons, None),
        Err(err) => (Vec::new(), Some(format!("{err:#}"))),
    };
    let status = Status {
        tmux: TmuxStatus {
            available: version.is_ok(),
            version: version.as_ref().ok().cloned(),
            server_running: manager.server_running(),
            socket: manager.socket_key(),
        },
        state: StateStatus {
            path: manager.state_path().to_string_lossy().into_owned(),
            ok: state_error.is_none(),
            sessions: sessions.iter().filter(|s| s.info.managed).count(),
        },
        auto_attach: AutoStatus {
            paused_until: manager.auto_attach_paused_until(),
        },
        sessions,
        daemons,
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
    if let Some(err) = daemon_error {
        eprintln!("thanos-tmux: daemons: {err}");
    }
    Ok(match (&version, &state_error) {
        (Err(_), _) => Exit::Tmux,
        (_, Some(_)) => Exit::Error,
        _ => Exit::Ok,
    })
}

fn print_human(
    global: &Global,
    s: &Status,
    tmux_error: Option<&thanos_tmux::Error>,
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
        None => format!(
            "{} ({} recorded)",
            ui::tilde(&s.state.path),
            s.state.sessions
        ),
    };
    let alive = s.sessions.iter().filter(|x| x.info.alive).count();
    let mut text = format!(
        "{}     {tmux}\n{}   {server} on {}\n{}    {state}\n{} {alive} live, {} not alive\n",
        out.bold("tmux"),
        out.bold("server"),
        s.tmux.socket,
        out.bold("state"),
        out.bold("sessions"),
        s.sessions.len() - alive
    );
    if let Some(until) = s.auto_attach.paused_until {
        text.push_str(&format!(
            "{}     {}\n",
            out.bold("auto"),
            out.gold(&ui::pause_line(until, ui::now()))
        ));
    }
    if !s.sessions.is_empty() {
        text.push('\n');
        text.push_str(&session_table(&s.sessions, out));
    }
    if !s.daemons.is_empty() {
        text.push('\n');
        text.push_str(&daemons::table(&s.daemons, out));
    }
    ui::out(&text)?;
    Ok(())
}

/// Sessions with what their processes use.
fn session_table(sessions: &[SessionStatus], paint: Paint) -> String {
    let now = ui::now();
    let mut rows = vec![[
        "NAME", "WINDOWS", "CLIENTS", "ATTACHED", "PROCS", "CPU", "MEMORY", "FOLDER",
    ]
    .map(String::from)
    .to_vec()];
    for s in sessions {
        let i = &s.info;
        let live = |text: String| if i.alive { text } else { "-".into() };
        rows.push(vec![
            i.name.clone(),
            live(i.windows.to_string()),
            live(i.attached.to_string()),
            if i.alive {
                i.last_attached.map_or("never".into(), |t| ui::ago(t, now))
            } else {
                "not alive".into()
            },
            live(s.processes.map_or("?".into(), |n| n.to_string())),
            live(ui::percent(s.cpu_percent)),
            live(ui::size(s.memory_bytes)),
            i.start_dir.as_deref().map_or(String::new(), ui::tilde),
        ]);
    }
    ui::table(&rows, |r, c, cell| match (r, c) {
        (0, _) => paint.bold(cell),
        (_, 0) => paint.purple(cell),
        (_, 3) if cell == "not alive" => paint.dim(cell),
        _ => cell.to_string(),
    })
}
