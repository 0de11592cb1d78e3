//! What happens on the events of a login system and of tmux: a login restores and
//! starts what is configured, a logout saves and cleans up, a tmux hook keeps the
//! record of its session true.

use super::TmuxManager;
use crate::{hooks, log, os};
use anyhow::{bail, Result};

impl TmuxManager {
    /// A login: restores what the server lost (when it is down and `auto_restore` is
    /// on), makes sure the main session exists (detached) and starts the daemons.
    /// Never attaches.
    pub fn on_login(&self) -> Result<()> {
        let main = self.config().prefix.clone() + "main";
        self.ensure_session(&main, &self.root())?;
        if !self.config().daemons.is_empty() {
            self.daemons_start(&[])?;
        }
        Ok(())
    }

    /// A logout: saves the layouts, records the detach, cleans up what was closed on
    /// purpose, and kills the `kill_on_logout` sessions no client is attached to. The
    /// terminal may be closing meanwhile: a hang-up does not stop it.
    pub fn on_logout(&self) -> Result<()> {
        os::ignore_hangup();
        if !self.tmux().server_running() {
            return Ok(());
        }
        // A `cd` fires no hook: the logout is the last chance to catch it.
        self.save(&[])?;
        let unattached: Vec<String> = self
            .live_sessions()?
            .into_iter()
            .filter(|s| s.attached == 0)
            .map(|s| s.name)
            .collect();
        self.record_detached(&unattached)?;
        self.cleanup_orphaned_state(false)?;
        let doomed: Vec<String> = self
            .config()
            .kill_on_logout
            .iter()
            .filter(|n| unattached.contains(n))
            .cloned()
            .collect();
        if !doomed.is_empty() {
            self.kill_sessions(&doomed)?;
            log::info(format_args!("logout killed {}", doomed.join(", ")));
        }
        Ok(())
    }

    /// A tmux hook fired (`EVENT name=… id=… current=… pane=…`, as the hooks that
    /// thanos-tmux registers call it): the record of the session concerned is kept
    /// true, and a daemon that died gets its restart policy.
    pub fn on_tmux_event(&self, event: &str, args: &[String]) -> Result<()> {
        if !hooks::EVENTS.contains(&event) {
            bail!("unknown hook event '{event}'");
        }
        let Some(name) = hooks::session_of(event, args) else {
            return Ok(());
        };
        log::debug(format_args!("hook {event} {name}"));
        let dir = self.store().dir();
        let save = || self.save_recorded(name);
        match event {
            "session-closed" => self.session_closed(name),
            "session-renamed" => match hooks::arg(args, "id") {
                Some(id) => self.session_renamed(id, name),
                None => Ok(()),
            },
            "client-attached" => self.note_client(name, true),
            "pane-died" => {
                if let Some(pane) = hooks::arg(args, "pane") {
                    self.daemon_died(pane)?;
                }
                hooks::coalesce(dir, name, save)
            }
            "client-detached" => {
                self.end_left_second_terminals()?;
                self.note_client(name, false)?;
                hooks::coalesce(dir, name, save)
            }
            _ => hooks::coalesce(dir, name, save),
        }
    }
}
