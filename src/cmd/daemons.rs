//! `daemons start|stop|restart|status`.

use super::{manager, paint_out, print_json, say, Global};
use crate::cli::{DaemonAction, DaemonsArgs};
use crate::exit::Exit;
use crate::ui::{self, Paint};
use anyhow::Result;
use thanos_tmux::DaemonStatus;

pub fn run(global: &Global, args: &DaemonsArgs) -> Result<Exit> {
    let manager = manager(global, true)?;
    if args.names_only {
        let names: String = manager
            .config()
            .daemons
            .iter()
            .map(|d| format!("{}\n", d.name))
            .collect();
        ui::out(&names)?;
        return Ok(Exit::Ok);
    }
    let done = match args.action {
        DaemonAction::Status => {
            let statuses = manager.daemons_status(!args.line)?;
            if args.line {
                let line = ui::health_line(&statuses);
                ui::out(&if line.is_empty() { line } else { line + "\n" })?;
            } else if args.json {
                print_json(&statuses)?;
            } else if statuses.is_empty() {
                say(global, "thanos-tmux: no daemons configured; add [[daemons]] to the config (thanos-tmux config path)");
            } else {
                ui::out(&table(&statuses, paint_out(global)))?;
            }
            return Ok(Exit::Ok);
        }
        DaemonAction::Start => ("started", manager.daemons_start(&args.names)?),
        DaemonAction::Stop => ("stopped", manager.daemons_stop(&args.names)?),
        DaemonAction::Restart => ("restarted", manager.daemons_restart(&args.names)?),
    };
    match done {
        (verb, names) if names.is_empty() => say(global, &format!("thanos-tmux: nothing {verb}")),
        (verb, names) => say(global, &format!("thanos-tmux: {verb} {}", names.join(", "))),
    }
    Ok(Exit::Ok)
}

/// The human table of `daemons status` (and `status`).
pub fn table(statuses: &[DaemonStatus], paint: Paint) -> String {
    let mut rows = vec![[
        "DAEMON", "WINDOW", "STATE", "PID", "UPTIME", "RESTARTS", "CPU", "MEMORY",
    ]
    .map(String::from)
    .to_vec()];
    for s in statuses {
        rows.push(vec![
            s.name.clone(),
            s.window.map_or("-".into(), |w| w.to_string()),
            s.state(),
            s.pid.map_or("-".into(), |p| p.to_string()),
            s.uptime_s.map_or("-".into(), ui::duration),
            s.restarts.to_string(),
            ui::percent(s.cpu_percent),
            ui::size(s.memory_bytes),
        ]);
    }
    ui::table(&rows, |r, c, cell| match (r, c) {
        (0, _) => paint.bold(cell),
        (_, 0) => paint.purple(cell),
        (_, 2) if cell == "running" => paint.green(cell),
        (_, 2) if cell == "stopped" => paint.dim(cell),
        (_, 2) => paint.red(cell),
        _ => cell.to_string(),
    })
}
