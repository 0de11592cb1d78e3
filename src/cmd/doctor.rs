//! `doctor`: one line per check. It fails (exit 1) only for what breaks the product;
//! what it cannot be sure of only warns.

use super::{manager, paint_err, paint_out, rc, Global};
use crate::exit::Exit;
use crate::ui::{self, Paint};
use anyhow::Result;
use std::path::{Path, PathBuf};
use thanos_tmux::{Config, Environment, StateHealth, TmuxManager};

enum Mark {
    Pass,
    Warn,
    Fail,
}

struct Check {
    mark: Mark,
    text: String,
}

fn pass(text: impl Into<String>) -> Check {
    Check {
        mark: Mark::Pass,
        text: text.into(),
    }
}
fn warn(text: impl Into<String>) -> Check {
    Check {
        mark: Mark::Warn,
        text: text.into(),
    }
}
fn fail(text: impl Into<String>) -> Check {
    Check {
        mark: Mark::Fail,
        text: text.into(),
    }
}

pub fn run(global: &Global) -> Result<Exit> {
    let mut checks = Vec::new();
    let config = match Config::load(&Environment::of_process()) {
        Ok(loaded) => {
            match &loaded.path {
                Some(path) if loaded.warnings.is_empty() => {
                    checks.push(pass(format!("config {} is valid", path.display())))
                }
                Some(_) => checks.extend(loaded.warnings.iter().map(|w| warn(w.as_str()))),
                None => checks.push(pass(
                    "no config file; defaults in force (thanos-tmux config path)",
                )),
            }
            loaded.config
        }
        Err(err) => {
            checks.push(fail(format!("{err:#}")));
            Config::default()
        }
    };
    let manager = manager(global, false)?.with_config(config);
    checks.extend(tmux_checks(&manager));
    if let Some(until) = manager.auto_attach_paused_until() {
        checks.push(warn(ui::pause_line(until, ui::now())));
    }
    checks.push(state_check(&manager));
    checks.extend(shell_checks());
    checks.push(daemon_check(&manager));
    checks.push(logout_check());

    let (out, err) = (paint_out(global), paint_err(global));
    if !global.quiet {
        eprintln!(
            "{} {}",
            err.purple("◆ thanos-tmux doctor"),
            err.dim("· one line per check")
        );
    }
    let mut text = String::new();
    for check in &checks {
        text.push_str(&line(check, out));
    }
    ui::out(&text)?;
    Ok(if checks.iter().any(|c| matches!(c.mark, Mark::Fail)) {
        Exit::Error
    } else {
        Exit::Ok
    })
}

fn line(check: &Check, paint: Paint) -> String {
    let mark = match check.mark {
        Mark::Pass => paint.green("✔"),
        Mark::Warn => paint.gold("!"),
        Mark::Fail => paint.red("✖"),
    };
    format!("{mark} {}\n", check.text)
}

fn tmux_checks(manager: &TmuxManager) -> Vec<Check> {
    let version = match manager.tmux_version() {
        Ok(version) => version,
        Err(err) => return vec![fail(format!("{err}"))],
    };
    let mut checks = vec![pass(format!("tmux {version}"))];
    if !manager.server_running() {
        checks.push(warn(format!(
            "no tmux server running on {} (it starts with the next terminal)",
            manager.socket_key()
        )));
        return checks;
    }
    match manager.hooks_registered() {
        Err(err) => checks.push(fail(format!(
            "the tmux server on {} does not answer: {err}; try `tmux kill-server` (after a tmux upgrade)",
            manager.socket_key()
        ))),
        Ok(registered) => {
            match manager.server_version() {
                Some(server) if server != version => checks.push(warn(format!(
                    "the tmux server on {} is tmux {server}, `tmux` on PATH is {version} \
                     (upgraded since it started?): attaching may fail; restart the server \
                     (tmux kill-server) when its programs can stop",
                    manager.socket_key()
                ))),
                server => checks.push(pass(format!(
                    "tmux server {} running on {}",
                    server.as_deref().unwrap_or("(version unknown)"),
                    manager.socket_key()
                ))),
            }
            if registered {
                checks.push(pass("thanos-tmux hooks are registered on the server"));
            } else {
                checks.push(fail(
                    "thanos-tmux hooks are missing on the running server; run `thanos-tmux` once (attach) to register them",
                ));
            }
        }
    }
    checks
}

fn state_check(manager: &TmuxManager) -> Check {
    match manager.state_health() {
        Ok(StateHealth {
            warning: Some(warning),
            ..
        }) => warn(warning),
        Ok(StateHealth {
            path,
            open_to_others: true,
            ..
        }) => fail(format!(
            "state file {} can be read or written by other users; run: chmod 600 {}",
            path.display(),
            path.display()
        )),
        Ok(StateHealth { path, records, .. }) => pass(format!(
            "state file {} is private and readable ({records} records)",
            path.display()
        )),
        Err(err) => fail(format!("{err:#}")),
    }
}

fn shell_checks() -> Vec<Check> {
    let shells = rc::read();
    let found: Vec<&Path> = shells.iter().flat_map(rc::Shell::integrated).collect();
    if found.is_empty() {
        return vec![
            fail("shell integration found in none of your rc files (nor in what they source); add `if command -v thanos-tmux >/dev/null; then eval \"$(thanos-tmux init zsh)\"; fi` (or bash; fish: `command -q thanos-tmux; and thanos-tmux init fish | source`)"),
            warn("completions come with the shell integration; none found"),
        ];
    }
    let list = found
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut checks = vec![pass(format!("shell integration in {list}"))];
    // zsh completes only once its completion system is loaded (oh-my-zsh loads it).
    let zsh_without_completion = shells.iter().find(|s| {
        s.name == "zsh"
            && !s.integrated().is_empty()
            && !s.mentions("compinit")
            && !s.mentions("oh-my-zsh.sh")
    });
    match zsh_without_completion {
        Some(zsh) => checks.push(warn(format!(
            "zsh loads no completion system, so Tab completes nothing; add `autoload -Uz compinit && compinit` to {}",
            zsh.files
                .iter()
                .map(|(path, _)| path)
                .find(|path| path.ends_with(".zshrc"))
                .unwrap_or(&zsh.files[0].0)
                .display()
        ))),
        None => checks.push(pass("completions: included in the shell integration")),
    }
    checks
}

fn daemon_check(manager: &TmuxManager) -> Check {
    if manager.config().daemons.is_empty() {
        return warn("no daemons configured ([[daemons]] in the config)");
    }
    match manager.daemons_status(false) {
        Err(err) => fail(format!("cannot read the daemons: {err:#}")),
        Ok(statuses) => {
            let down: Vec<String> = statuses
                .iter()
                .filter(|s| !s.running && !s.stopped)
                .map(|s| format!("{} ({})", s.name, s.state()))
                .collect();
            if down.is_empty() {
                pass(format!("daemons healthy: {}", ui::health_line(&statuses)))
            } else {
                fail(format!(
                    "daemons not running: {}; run `thanos-tmux daemons restart`",
                    down.join(", ")
                ))
            }
        }
    }
}

/// systemd-logind's KillUserProcesses=yes ends tmux at logout.
fn logout_check() -> Check {
    let mut files = vec![PathBuf::from("/etc/systemd/logind.conf")];
    if let Ok(dir) = std::fs::read_dir("/etc/systemd/logind.conf.d") {
        files.extend(dir.flatten().map(|e| e.path()));
    }
    let kills = files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .any(|text| {
            text.lines().any(|l| {
                let l = l.trim().replace(' ', "");
                l.eq_ignore_ascii_case("KillUserProcesses=yes")
            })
        });
    if kills {
        warn("systemd KillUserProcesses=yes: logout ends tmux; run `loginctl enable-linger $USER` or set it to no")
    } else {
        pass("logout will not kill the tmux server (systemd KillUserProcesses is not on)")
    }
}
