//! The login path's own rules: the guards `attach --auto` re-checks with the
//! config in hand, the pause after repeated failures, and the auto_quit mark.

use crate::config::Config;
use crate::env::{Environment, EDITOR_VARS};
use crate::manager::{TmuxManager, AUTO_LIMIT};
use crate::os;
use crate::{hooks, log};
use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Failures within this window count toward a pause…
const WINDOW_SECS: i64 = 600;
/// …this many of them pause auto-attach…
const MAX_FAILURES: usize = 3;
/// …for this long after the last one.
const PAUSE_SECS: i64 = 600;

/// Why auto-attach stays out of the way, or `None` when every guard holds.
pub(crate) fn guard_says_no(config: &Config, env: &Environment) -> Option<&'static str> {
    let var = |k: &str| env.text(k).unwrap_or_default();
    let set = |k: &str| env.get(k).is_some();
    if set("TMUX") {
        return Some("already inside tmux");
    }
    if !config.auto_attach {
        return Some("auto_attach = false");
    }
    if var("THANOS_TMUX_AUTO") == "0" || var("LC_THANOS_TMUX") == "0" {
        return Some("turned off by THANOS_TMUX_AUTO or LC_THANOS_TMUX");
    }
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        return Some("not a terminal");
    }
    if EDITOR_VARS.iter().any(|k| set(k)) || var("TERMINAL_EMULATOR") == "JetBrains-JediTerm" {
        return Some("an editor's terminal");
    }
    let program = var("TERM_PROGRAM");
    if !program.is_empty()
        && config
            .skip_terminals
            .iter()
            .any(|t| skip_matches(t, program))
    {
        return Some("TERM_PROGRAM is in skip_terminals");
    }
    if var("TERM") == "dumb" {
        return Some("TERM is dumb");
    }
    if (set("SSH_TTY") || set("SSH_CONNECTION")) && !config.ssh_auto_attach {
        return Some("ssh login and ssh_auto_attach = false");
    }
    None
}

/// `JetBrains` in skip_terminals also covers `JetBrains-JediTerm` and friends.
fn skip_matches(entry: &str, program: &str) -> bool {
    program == entry || program.starts_with(&format!("{entry}-"))
}

/// Failed auto-attaches to one server, kept in a small file in the state folder.
pub(crate) struct Failures {
    path: PathBuf,
}

/// What the failure record says about now.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Pause {
    /// Attach as usual.
    No,
    /// Paused; `announce` is true the first time this is seen.
    For { minutes: i64, announce: bool },
}

impl Failures {
    /// The record of the server on `socket` (its path), in `state_dir`.
    pub(crate) fn of_server(state_dir: &Path, socket: &str) -> Failures {
        Failures {
            path: state_dir.join(format!("auto-failures.{}", hooks::digest(socket))),
        }
    }

    /// When a pause in force at `now` ends (Unix seconds); `None` when there is none.
    pub(crate) fn paused_until(&self, now: i64) -> Option<i64> {
        let text = fs::read_to_string(&self.path).ok()?;
        let (times, _) = parse(&text);
        let recent: Vec<i64> = times
            .into_iter()
            .filter(|t| now - t < WINDOW_SECS)
            .collect();
        let last = *recent.iter().max()?;
        (recent.len() >= MAX_FAILURES && now - last < PAUSE_SECS).then_some(last + PAUSE_SECS)
    }

    /// Whether auto-attach is paused at `now`. Marks the pause as announced.
    pub(crate) fn pause(&self, now: i64) -> Pause {
        let Some(until) = self.paused_until(now) else {
            return Pause::No;
        };
        let text = fs::read_to_string(&self.path).unwrap_or_default();
        let announced = parse(&text).1;
        if !announced {
            let _ = os::write_private(&self.path, format!("{text}announced\n").as_bytes());
        }
        Pause::For {
            minutes: (until - now + 59) / 60,
            announce: !announced,
        }
    }

    /// Counts one failure at `now` (old ones fall out of the window).
    pub(crate) fn record(&self, now: i64) {
        let text = fs::read_to_string(&self.path).unwrap_or_default();
        let (times, _) = parse(&text);
        let mut kept: Vec<String> = times
            .into_iter()
            .filter(|t| now - t < WINDOW_SECS)
            .map(|t| t.to_string())
            .collect();
        kept.push(now.to_string());
        if let Some(dir) = self.path.parent() {
            let _ = os::create_private_dir(dir);
        }
        let _ = os::write_private(&self.path, (kept.join("\n") + "\n").as_bytes());
    }

    /// Forgets failures after a good attach.
    pub(crate) fn clear(&self) {
        let _ = fs::remove_file(&self.path);
    }
}

fn parse(text: &str) -> (Vec<i64>, bool) {
    let times = text.lines().filter_map(|l| l.trim().parse().ok()).collect();
    (times, text.lines().any(|l| l.trim() == "announced"))
}

/// The mark that tells the shell snippet to close the terminal after tmux returns
/// (auto_quit): `quit.<shell pid>` in the state folder.
pub(crate) fn quit_mark(state_dir: &Path) -> PathBuf {
    // Our parent is the shell that runs the snippet.
    let shell = crate::os::parent_pid();
    state_dir.join(format!("quit.{shell}"))
}

/// How an automatic attach at shell start ended, when it did not become tmux.
#[derive(Debug)]
pub enum AutoAttach {
    /// A guard said no (inside tmux, not a terminal, turned off, an editor's
    /// terminal, …): the shell goes on quietly.
    Declined(&'static str),
    /// Paused after repeated failures, for this many minutes more; `announce` is true
    /// the first time it refuses, so the user hears it once.
    Paused {
        /// Minutes left.
        minutes: i64,
        /// True the first time.
        announce: bool,
    },
    /// Something failed: the shell goes on without tmux, and the user should hear why.
    Failed(anyhow::Error),
}

impl TmuxManager {
    /// The record of failed auto-attaches to this manager's server.
    pub(crate) fn failures(&self) -> Failures {
        Failures::of_server(self.store().dir(), &self.socket_key())
    }

    /// When the pause of auto-attach on this server ends (Unix seconds), after 3
    /// failures in 10 minutes; `None` when it is not paused. Any successful attach to
    /// the server lifts it.
    pub fn auto_attach_paused_until(&self) -> Option<i64> {
        self.failures().paused_until(os::now())
    }

    /// The login path: unless a guard says no or failures paused it, makes sure the
    /// session for this folder exists and replaces this process with tmux attached to
    /// it. Every tmux call together gets `AUTO_LIMIT`; a failure counts toward a pause
    /// (3 in 10 minutes pause it for 10). Returns only when no attach happened.
    pub fn auto_attach(self) -> AutoAttach {
        if let Some(why) = guard_says_no(self.config(), self.env()) {
            log::debug(format_args!("auto-attach: {why}"));
            return AutoAttach::Declined(why);
        }
        let failures = self.failures();
        let now = os::now();
        if let Pause::For { minutes, announce } = failures.pause(now) {
            return AutoAttach::Paused { minutes, announce };
        }
        let manager = self.with_limit(AUTO_LIMIT);
        let target = match manager.resolve(None, None) {
            Ok(target) => target,
            Err(err) => return AutoAttach::Failed(err),
        };
        if let Err(err) = manager.ensure_within(&target, AUTO_LIMIT) {
            failures.record(now);
            log::log(log::Level::Error, format_args!("auto-attach: {err:#}"));
            return AutoAttach::Failed(err);
        }
        failures.clear();
        let mark = manager
            .config()
            .auto_quit
            .then(|| quit_mark(manager.store().dir()));
        if let Some(mark) = &mark {
            let _ = os::write_private(mark, b"");
        }
        let err = manager.exec_attach(&target);
        if let Some(mark) = &mark {
            let _ = fs::remove_file(mark);
        }
        failures.record(now);
        AutoAttach::Failed(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_failures_in_ten_minutes_pause_once_announced() {
        let dir = tempfile::tempdir().unwrap();
        let f = Failures::of_server(dir.path(), "/tmp/tmux-1/default");
        assert_eq!(f.pause(1000), Pause::No);
        f.record(1000);
        f.record(1100);
        assert_eq!(f.pause(1150), Pause::No);
        f.record(1200);
        assert_eq!(
            f.pause(1260),
            Pause::For {
                minutes: 9,
                announce: true
            }
        );
        assert_eq!(
            f.pause(1300),
            Pause::For {
                minutes: 9,
                announce: false
            }
        );
        assert_eq!(f.pause(1200 + PAUSE_SECS), Pause::No);
        f.clear();
        assert_eq!(f.pause(1300), Pause::No);
    }

    #[test]
    fn each_server_has_its_own_count_and_pause() {
        let dir = tempfile::tempdir().unwrap();
        let default = Failures::of_server(dir.path(), "/tmp/tmux-1/default");
        let work = Failures::of_server(dir.path(), "/tmp/tmux-1/work");
        for t in [1000, 1010, 1020] {
            default.record(t);
        }
        work.record(1020);
        assert_eq!(default.paused_until(1030), Some(1020 + PAUSE_SECS));
        assert_eq!(work.paused_until(1030), None);
        assert!(matches!(work.pause(1030), Pause::No));
    }

    #[test]
    fn old_failures_do_not_count() {
        let dir = tempfile::tempdir().unwrap();
        let f = Failures::of_server(dir.path(), "/tmp/tmux-1/default");
        f.record(0);
        f.record(100);
        f.record(700);
        assert_eq!(f.pause(710), Pause::No);
    }

    #[test]
    fn skip_terminal_entries_cover_variants() {
        assert!(skip_matches("vscode", "vscode"));
        assert!(skip_matches("JetBrains", "JetBrains-JediTerm"));
        assert!(!skip_matches("zed", "zedless"));
    }
}
