//! The thanos-monitor session and its daemons: one window per configured
//! daemon, `remain-on-exit` so a dead one stays visible, the restart policy applied from
//! the `pane-died` hook. What must survive thanos-tmux itself (stopped, restarts,
//! recent failures, gave up) lives in tmux window options, beside the window it is about.

use crate::config::{Daemon, RestartPolicy};
use crate::error::Error;
use crate::manager::TmuxManager;
use crate::procs::{Sampler, Usage};
use crate::tmux::format::{self, DaemonRow};
use crate::tmux::{At, Batch, Panes, Spawn, Start};
use crate::{log, os};
use anyhow::{bail, Result};
use serde::Serialize;
use std::path::Path;
use std::time::Duration;

/// Failures within this many seconds count toward giving up…
const FAILURE_WINDOW: i64 = 60;
/// …and this many of them make the policy give up.
const MAX_FAILURES: usize = 5;
/// The longest wait before a restart.
const MAX_BACKOFF: u64 = 30;

/// One daemon as `daemons status --json` prints it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DaemonStatus {
    /// Its name in the config, also its window's name.
    pub name: String,
    /// Window index in thanos-monitor; null when the window is missing.
    pub window: Option<u32>,
    /// Its program runs.
    pub running: bool,
    /// Stopped on purpose: no policy restarts it.
    pub stopped: bool,
    /// Its program's process id, while it runs.
    pub pid: Option<u32>,
    /// The status a dead daemon exited with.
    pub exit_status: Option<i32>,
    /// Seconds since its program started, while it runs.
    pub uptime_s: Option<u64>,
    /// Restarts so far, by its policy or by hand.
    pub restarts: u32,
    /// Its policy gave up after failing too often.
    pub gave_up: bool,
    /// CPU of its process tree (100 is one core); `None` when unknown (no `/proc`).
    pub cpu_percent: Option<f64>,
    /// Resident memory of its process tree; `None` when unknown (no `/proc`).
    pub memory_bytes: Option<u64>,
}

impl DaemonStatus {
    /// `running`, `dead (exit N)`, `stopped`, `gave up`, `missing`.
    pub fn state(&self) -> String {
        match (self.window, self.running, self.stopped, self.gave_up) {
            (None, ..) => "missing".into(),
            (_, true, ..) => "running".into(),
            (_, _, true, _) => "stopped".into(),
            (_, _, _, true) => "gave up".into(),
            _ => match self.exit_status {
                Some(code) => format!("dead (exit {code})"),
                None => "dead".into(),
            },
        }
    }
}

impl DaemonRow {
    /// Dead, with no exit status, and nothing that explains it (a stop, a give-up).
    fn exit_unseen(&self) -> bool {
        self.dead && self.exit_status.is_none() && !self.stopped && !self.gave_up
    }
}

/// Backoff before restart number `failures` (1, 2, 4 … 30 seconds).
pub(crate) fn backoff(failures: usize) -> u64 {
    let exp = failures.saturating_sub(1).min(16) as u32;
    (1u64 << exp).min(MAX_BACKOFF)
}

/// Whether a policy restarts a daemon that exited with `status`.
pub(crate) fn policy_restarts(policy: RestartPolicy, status: Option<i32>) -> bool {
    match policy {
        RestartPolicy::Never => false,
        RestartPolicy::OnFailure => status != Some(0),
        RestartPolicy::Always => true,
    }
}

impl TmuxManager {
    /// `thanos-monitor` with the configured prefix.
    pub fn monitor_name(&self) -> String {
        format!("{}monitor", self.config().prefix)
    }

    fn selected(&self, names: &[String]) -> Result<Vec<&Daemon>> {
        let daemons = &self.config().daemons;
        for name in names {
            if !daemons.iter().any(|d| &d.name == name) {
                bail!("no daemon named '{name}' in the config");
            }
        }
        Ok(daemons
            .iter()
            .filter(|d| names.is_empty() || names.contains(&d.name))
            .collect())
    }

    fn daemon_rows(&self) -> Result<Vec<DaemonRow>> {
        if !self.tmux().server_running() {
            return Ok(Vec::new());
        }
        let batch = Batch::new().list_panes(
            Panes::Session(At::Name(&self.monitor_name())),
            format::DAEMONS,
        );
        match self.tmux().run(&batch) {
            Ok(out) => {
                Ok(format::parse_daemon_rows(&out)
                    .map_err(|e| self.tmux().unreadable(&batch, e))?)
            }
            Err(Error::NoSuchSession(_) | Error::NoServer) => Ok(Vec::new()),
            Err(err) => Err(self.tmux().explain(err).into()),
        }
    }

    /// Ensures thanos-monitor with one window per daemon, in config order, and starts
    /// the daemons that are not running. Running it twice changes nothing. Returns the
    /// names started.
    pub fn daemons_start(&self, names: &[String]) -> Result<Vec<String>> {
        let selected = self.selected(names)?;
        let rows = self.daemon_rows()?;
        let monitor = self.monitor_name();
        let mut session_exists = self.session_exists(&monitor)?;
        let mut batch = Batch::new();
        let mut started = Vec::new();
        for daemon in selected {
            match rows.iter().find(|r| r.daemon == daemon.name) {
                // A daemon that died stays as its policy left it (status shows why);
                // start brings back what was stopped on purpose or given up on.
                Some(row) if !(row.dead && (row.stopped || row.gave_up)) => continue,
                Some(row) => batch = batch.extend(respawn(daemon, &self.root(), &row.pane, true)),
                None => {
                    let root = self.root();
                    let spawn = Spawn {
                        window_name: Some(&daemon.name),
                        ..spawn_of(daemon, &root)
                    };
                    batch = if session_exists {
                        batch.new_window(At::Name(&monitor), &spawn)
                    } else {
                        batch.new_session(&monitor, Start::Detached, &spawn)
                    };
                    batch = batch
                        .set_window_option(None, "remain-on-exit", "on")
                        .set_window_option(None, "@thanos-daemon", &daemon.name);
                    if !session_exists {
                        batch = batch.mark_managed(None);
                        session_exists = true;
                    }
                }
            }
            started.push(daemon.name.clone());
        }
        if batch.is_empty() {
            return Ok(started);
        }
        // The hooks go first: a daemon that dies at once (before a hook registered
        // after it) would never see its restart policy applied.
        let batch = self.hooks().extend(batch).select_window(&monitor, 0);
        self.tmux().run_checked(&batch)?;
        log::info(format_args!("daemons started: {}", started.join(", ")));
        Ok(started)
    }

    /// Ends daemons and marks them stopped, so that no policy respawns them (not even
    /// `always`) until `start` or `restart`. Returns the names stopped.
    pub fn daemons_stop(&self, names: &[String]) -> Result<Vec<String>> {
        let selected = self.selected(names)?;
        let rows = self.daemon_rows()?;
        let mut batch = Batch::new();
        let mut stopped = Vec::new();
        let mut pids = Vec::new();
        for daemon in selected {
            if let Some(row) = rows.iter().find(|r| r.daemon == daemon.name) {
                batch = batch.set_window_option(Some(At::Id(&row.pane)), "@thanos-stopped", "1");
                if !row.dead {
                    pids.extend(row.pid);
                }
                stopped.push(daemon.name.clone());
            }
        }
        if !batch.is_empty() {
            // Marked first, so the pane-died hook that follows the kill finds it stopped.
            self.tmux().run_checked(&batch)?;
        }
        for pid in pids {
            crate::os::terminate(pid);
        }
        Ok(stopped)
    }

    /// Respawns daemons (running or not), clearing stopped and gave-up. Returns the
    /// names restarted; a daemon without a window is started.
    pub fn daemons_restart(&self, names: &[String]) -> Result<Vec<String>> {
        let selected = self.selected(names)?;
        let rows = self.daemon_rows()?;
        let mut batch = Batch::new();
        let mut missing = Vec::new();
        let mut done = Vec::new();
        for daemon in selected {
            match rows.iter().find(|r| r.daemon == daemon.name) {
                Some(row) => {
                    batch = batch
                        .extend(respawn(daemon, &self.root(), &row.pane, true))
                        .extend(count_restart(&row.pane, row.restarts));
                    done.push(daemon.name.clone());
                }
                None => missing.push(daemon.name.clone()),
            }
        }
        if !batch.is_empty() {
            self.tmux().run_checked(&batch)?;
        }
        if !missing.is_empty() {
            done.extend(self.daemons_start(&missing)?);
        }
        Ok(done)
    }

    /// Every configured daemon, in config order, with its state and resources.
    pub fn daemons_status(&self, with_resources: bool) -> Result<Vec<DaemonStatus>> {
        let rows = self.daemon_rows()?;
        if rows.iter().any(DaemonRow::exit_unseen) {
            // tmux linked with libutempter (Debian's, Ubuntu's) can miss a pane's exit:
            // the pane stays dead without a status and `pane-died` never fires, so no
            // policy runs. The next child of the server that exits makes tmux reap
            // them all; a `true` run by the server is that child. The status line
            // asks often, so a missed restart is caught within its interval.
            let kick = Batch::new().run_shell_background("true");
            if let Err(err) = self.tmux().run(&kick) {
                log::debug(format_args!("could not nudge tmux: {err}"));
            }
        }
        let sampler = with_resources.then(Sampler::new);
        Ok(self
            .config()
            .daemons
            .iter()
            .map(|daemon| {
                let Some(row) = rows.iter().find(|r| r.daemon == daemon.name) else {
                    return DaemonStatus {
                        name: daemon.name.clone(),
                        window: None,
                        running: false,
                        stopped: false,
                        pid: None,
                        exit_status: None,
                        uptime_s: None,
                        restarts: 0,
                        gave_up: false,
                        cpu_percent: Some(0.0),
                        memory_bytes: Some(0),
                    };
                };
                let live_pid = row.pid.filter(|_| !row.dead);
                // Nothing runs in a dead daemon's window: it uses nothing.
                let usage = match (&sampler, live_pid) {
                    (Some(s), Some(pid)) => s.tree(pid),
                    (Some(_), None) => Some(Usage::default()),
                    (None, _) => None,
                };
                DaemonStatus {
                    name: daemon.name.clone(),
                    window: Some(row.window),
                    running: !row.dead,
                    stopped: row.stopped,
                    pid: live_pid,
                    exit_status: if row.dead { row.exit_status } else { None },
                    uptime_s: live_pid.and_then(|p| sampler.as_ref()?.uptime_of(p)),
                    restarts: row.restarts,
                    gave_up: row.gave_up,
                    cpu_percent: usage.map(|u| u.cpu_percent),
                    memory_bytes: usage.map(|u| u.memory_bytes),
                }
            })
            .collect())
    }

    /// The `pane-died` hook: applies the daemon's restart policy with backoff, and
    /// gives up after MAX_FAILURES failures within FAILURE_WINDOW seconds.
    pub(crate) fn daemon_died(&self, pane: &str) -> Result<()> {
        let batch = Batch::new().list_panes(Panes::Window(At::Id(pane)), format::DAEMONS);
        let Ok(out) = self.tmux().run(&batch) else {
            return Ok(());
        };
        let rows = format::parse_daemon_rows(&out).unwrap_or_default();
        let Some(row) = rows.into_iter().find(|r| r.pane == pane) else {
            return Ok(());
        };
        let Some(daemon) = self.config().daemons.iter().find(|d| d.name == row.daemon) else {
            return Ok(());
        };
        if row.stopped
            || row.gave_up
            || !row.dead
            || !policy_restarts(daemon.restart, row.exit_status)
        {
            return Ok(());
        }
        let now = os::now();
        let mut failures: Vec<i64> = row
            .failures
            .into_iter()
            .filter(|t| now - t < FAILURE_WINDOW)
            .collect();
        failures.push(now);
        let list = failures
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let mark = Batch::new().set_window_option(Some(At::Id(pane)), "@thanos-failures", &list);
        if failures.len() >= MAX_FAILURES {
            let give_up = mark.set_window_option(Some(At::Id(pane)), "@thanos-gave-up", "1");
            self.tmux().run_checked(&give_up)?;
            log::warn(format_args!(
                "daemon '{}' failed {MAX_FAILURES} times in {FAILURE_WINDOW} s; gave up",
                daemon.name
            ));
            return Ok(());
        }
        self.tmux().run_checked(&mark)?;
        std::thread::sleep(Duration::from_secs(backoff(failures.len())));
        // Someone may have stopped or restarted it meanwhile.
        let Ok(out) = self.tmux().run(&batch) else {
            return Ok(());
        };
        let Some(now_row) = format::parse_daemon_rows(&out)
            .unwrap_or_default()
            .into_iter()
            .find(|r| r.pane == pane)
        else {
            return Ok(());
        };
        if now_row.stopped || !now_row.dead {
            return Ok(());
        }
        let restart = respawn(daemon, &self.root(), pane, false)
            .extend(count_restart(pane, now_row.restarts));
        self.tmux().run_checked(&restart)?;
        log::info(format_args!(
            "daemon '{}' restarted (exit {:?})",
            daemon.name, row.exit_status
        ));
        Ok(())
    }
}

/// A daemon's folder, variables and command: tmux runs the command with `sh -c`
/// directly, no shell of ours. Without a `dir`, the daemon starts in the root folder.
fn spawn_of<'a>(daemon: &'a Daemon, root: &'a Path) -> Spawn<'a> {
    let dir = daemon.dir.as_deref().unwrap_or(root);
    Spawn {
        dir: Some(dir),
        env: &daemon.env,
        command: Some(&daemon.command),
        ..Spawn::default()
    }
}

/// Respawns a daemon's pane with its current config. By hand (`fresh`), stopped,
/// gave-up and the failure count are cleared; the policy keeps counting.
fn respawn(daemon: &Daemon, root: &Path, pane: &str, fresh: bool) -> Batch {
    let mut batch = Batch::new();
    if fresh {
        for option in ["@thanos-stopped", "@thanos-gave-up", "@thanos-failures"] {
            batch = batch.unset_window_option(At::Id(pane), option);
        }
    }
    batch.respawn_pane(At::Id(pane), &spawn_of(daemon, root))
}

/// The command that records one more restart on the daemon's window.
fn count_restart(pane: &str, restarts: u32) -> Batch {
    Batch::new().set_window_option(
        Some(At::Id(pane)),
        "@thanos-restarts",
        &(restarts + 1).to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_thirty_seconds() {
        let waits: Vec<u64> = (1..=7).map(backoff).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30]);
    }

    #[test]
    fn policies() {
        assert!(!policy_restarts(RestartPolicy::Never, Some(1)));
        assert!(policy_restarts(RestartPolicy::OnFailure, Some(1)));
        assert!(!policy_restarts(RestartPolicy::OnFailure, Some(0)));
        assert!(policy_restarts(RestartPolicy::Always, Some(0)));
    }
}
