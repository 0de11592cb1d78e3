//! Resolving the session a terminal gets, creating or restoring it, attaching.

use super::{check_name, current_dir, identity, Presence, Target, TmuxManager, ALIASES};
use crate::config::SecondTerminal;
use crate::error::Error;
use crate::log;
use crate::naming::{self, Context};
use crate::os;
use crate::recovery;
use crate::state::SessionRecord;
use crate::tmux::format::{self, ServerId, SessionRow};
use crate::tmux::{target, At, Batch, Spawn, Start};
use anyhow::{Context as _, Result};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

impl TmuxManager {
    /// The session `attach` would use: a typed NAME (checked, aliases expanded), else
    /// `THANOS_TMUX_SESSION`, else the name picked for `dir` (default: the current folder).
    pub fn resolve(&self, typed: Option<&str>, dir: Option<&Path>) -> Result<Target> {
        let dir = match dir {
            Some(dir) => {
                let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
                if !dir.is_dir() {
                    anyhow::bail!("folder {} does not exist", dir.display());
                }
                Some(dir)
            }
            None => None,
        };
        let forced = self.given.session.clone();
        let state = self.load_state()?;
        let records = state.server(&self.socket_key()).map(|s| &s.sessions);
        let recorded_dir = |name: &str| records?.get(name)?.start_dir.as_ref().map(PathBuf::from);
        if let Some(typed) = typed.map(str::to_string).or(forced) {
            check_name(&typed)?;
            let name = self.expand_alias(&typed)?;
            let start_dir = match dir {
                Some(dir) => dir,
                None => match recorded_dir(&name) {
                    Some(recorded) => recorded,
                    None if name != typed => self.root(),
                    None => current_dir()?,
                },
            };
            return Ok(Target { name, start_dir });
        }
        let dir = match dir {
            Some(dir) => dir,
            None => current_dir()?,
        };
        let pick = self.pick(&dir, recorded_dir);
        Ok(Target {
            name: pick.name,
            start_dir: pick.start_dir,
        })
    }

    /// The session used before this one: inside tmux, the most recently attached
    /// session other than the client's own; outside, the most recently attached of
    /// all (live, or recorded to be restored).
    pub fn previous_session(&self) -> Result<Target> {
        let current = match self.env().tmux_session_id() {
            Some(id) => self
                .live_sessions()?
                .into_iter()
                .find(|row| row.id == id)
                .map(|row| row.name),
            None => None,
        };
        let previous = self
            .list_sessions()?
            .into_iter()
            .filter(|s| Some(&s.name) != current.as_ref() && s.last_attached.is_some())
            .max_by_key(|s| s.last_attached)
            .context("no other session was attached before; nothing to go back to")?;
        self.resolve(Some(&previous.name), None)
    }

    /// The name picked for a folder (`thanos-tmux name`).
    pub fn pick_name(&self, dir: &Path) -> Result<Target> {
        let state = self.load_state()?;
        let records = state.server(&self.socket_key()).map(|s| &s.sessions);
        let pick = self.pick(dir, |name| {
            records?.get(name)?.start_dir.as_ref().map(PathBuf::from)
        });
        Ok(Target {
            name: pick.name,
            start_dir: pick.start_dir,
        })
    }

    fn pick(&self, dir: &Path, recorded_dir: impl Fn(&str) -> Option<PathBuf>) -> naming::Pick {
        let home = self.env().home().unwrap_or_else(|| "/".into());
        let root = self.root();
        let host = naming::host_name();
        let ctx = Context {
            home: &home,
            root: &root,
            prefix: &self.config.prefix,
            rules: &self.config.naming_rules,
            host: &host,
        };
        naming::pick(dir, &ctx, recorded_dir)
    }

    /// Start folder of thanos-main, thanos-dev and thanos-monitor.
    pub fn root(&self) -> PathBuf {
        self.given
            .root
            .clone()
            .or_else(|| self.config.root.clone())
            .or_else(|| self.env().home())
            .unwrap_or_else(|| "/".into())
    }

    /// `main`, `dev`, `monitor` → the prefixed name, unless a live session has that
    /// literal name.
    fn expand_alias(&self, name: &str) -> Result<String, Error> {
        if !ALIASES.contains(&name) || self.session_exists(name)? {
            return Ok(name.to_string());
        }
        Ok(format!("{}{name}", self.config.prefix))
    }

    /// Makes sure the session exists without attaching ("duplicate session" is success).
    /// One tmux call. Returns true when it was created.
    pub fn ensure_session(&self, name: &str, start_dir: &Path) -> Result<bool> {
        self.ensure(
            &Target {
                name: name.to_string(),
                start_dir: start_dir.to_path_buf(),
            },
            None,
        )
    }

    fn ensure(&self, target: &Target, limit: Option<Duration>) -> Result<bool> {
        let presence = self.presence(&target.name)?;
        if presence == Presence::There {
            self.record(target, None)?;
            return Ok(false);
        }
        if self.config.auto_restore && presence == Presence::NoServer {
            // After a crash or reboot the first attach brings everything back. A record
            // that cannot be rebuilt costs itself alone: the attach goes on.
            let done = self.restore_within(&[], limit)?;
            for (name, why) in &done.failed {
                log::warn(format_args!("could not restore '{name}': {why}"));
            }
            if done.restored.contains(&target.name) {
                return Ok(true);
            }
        }
        let record = self.restorable(target)?;
        let created = match &record {
            Some(record) => {
                let rebuild =
                    recovery::restore_batch(record, &self.config.restore_programs, &self.root());
                match self.create(target, rebuild, limit) {
                    // A record tmux refuses: what it built is undone, and a plain
                    // session takes its place.
                    Err(Failed::Tmux(err, printed)) => {
                        log::warn(format_args!(
                            "could not restore '{}' ({err}); starting it afresh",
                            target.name
                        ));
                        self.undo(&printed, limit);
                        self.create(target, new_session(target, Start::Detached), limit)
                    }
                    other => other,
                }
            }
            None => self.create(target, new_session(target, Start::Detached), limit),
        };
        match created {
            Ok(seen) => {
                self.record(target, Some(seen))?;
                let how = if record.is_some() {
                    "restored"
                } else {
                    "created"
                };
                log::info(format_args!(
                    "{how} session '{}' in {}",
                    target.name,
                    target.start_dir.display()
                ));
                Ok(true)
            }
            Err(Failed::Duplicate) => {
                self.record(target, None)?;
                Ok(false)
            }
            Err(Failed::Tmux(err, _)) | Err(Failed::Other(err)) => {
                Err(self.tmux.explain(err).into())
            }
        }
    }

    /// Runs `build` (which makes the session `target`), then reports the session and
    /// registers the hooks, in one call. `Ok` carries the session's id and server: a
    /// call that reports no session made none.
    fn create(
        &self,
        target: &Target,
        build: Batch,
        limit: Option<Duration>,
    ) -> Result<(String, ServerId), Failed> {
        let batch = build
            .display(Some(At::Name(&target.name)), format::NAMED_IDENTITY)
            .extend(self.hooks());
        let (printed, result) = self.tmux.run_partial(&batch, limit);
        match result {
            // tmux 3.2 exits 0 having run nothing when it cannot make the socket it was
            // given: a session is made only when the call reports it.
            Ok(()) => match format::parse_built(&printed).map(|b| b.sessions.into_iter().next()) {
                Ok(Some((_, seen))) => Ok(seen),
                Ok(None) => Err(Failed::Other(Error::Tmux {
                    command: batch.name(),
                    message: format!(
                        "no session was made: no tmux server could start on {}",
                        self.socket_key()
                    ),
                })),
                Err(err) => Err(Failed::Other(self.tmux.unreadable(&batch, err))),
            },
            Err(Error::Tmux { message, .. }) if message.starts_with("duplicate session") => {
                Err(Failed::Duplicate)
            }
            Err(err @ Error::Tmux { .. }) => Err(Failed::Tmux(err, printed)),
            Err(err) => Err(Failed::Other(err)),
        }
    }

    /// The record to rebuild `target` from, when auto_restore is on and a layout was saved.
    fn restorable(&self, target: &Target) -> Result<Option<SessionRecord>> {
        if !self.config.auto_restore {
            return Ok(None);
        }
        let record = self.recorded(&target.name)?;
        Ok(record.filter(|r| r.layout.as_ref().is_some_and(|l| !l.windows.is_empty())))
    }

    /// Records a session unless an up-to-date record exists (no write on the hot path).
    fn record(&self, target: &Target, seen: Option<(String, ServerId)>) -> Result<()> {
        let socket = self.socket_key();
        let start_dir = target.start_dir.to_string_lossy().into_owned();
        let seen = seen.map(|(id, server)| (id, identity(&socket, server)));
        let current = |r: &SessionRecord| {
            r.start_dir.is_some()
                && seen.as_ref().is_none_or(|(id, server)| {
                    r.id.as_ref() == Some(id) && r.server.as_ref() == Some(server)
                })
        };
        if self
            .load_state()?
            .session(&socket, &target.name)
            .is_some_and(current)
        {
            return Ok(());
        }
        // A folder that cannot be written (read-only, full) costs the record, never
        // the session: the terminal still gets its home.
        let written = self.update_state(|state| {
            let record = state
                .server_mut(&socket)
                .sessions
                .entry(target.name.clone())
                .or_insert_with(|| SessionRecord {
                    name: target.name.clone(),
                    created: os::now(),
                    ..SessionRecord::default()
                });
            if record.start_dir.is_none() {
                record.start_dir = Some(start_dir);
            }
            if let Some((id, server)) = seen {
                record.id = Some(id);
                record.server = Some(server);
            }
            Ok(())
        });
        if let Err(err) = written {
            log::warn(format_args!(
                "session '{}' is not recorded: {err:#}",
                target.name
            ));
        }
        Ok(())
    }

    /// Attaches to NAME (or the session picked for `dir`, default the current folder),
    /// creating or restoring it when missing: `resolve`, then `attach`.
    ///
    /// ```no_run
    /// use thanos_tmux::TmuxManager;
    /// let manager = TmuxManager::new()?;
    /// // Like `thanos-tmux` in a repository: becomes tmux, returns only on failure.
    /// manager.attach_or_create(None, None)?;
    /// # Ok::<(), anyhow::Error>(())
    /// ```
    pub fn attach_or_create(&self, name: Option<&str>, dir: Option<&Path>) -> Result<()> {
        let target = self.resolve(name, dir)?;
        self.attach(&target)
    }

    /// Attaches: inside tmux, creates the session detached when missing and switches
    /// the client (never nests); outside, replaces this process with tmux doing an
    /// atomic attach-or-create. Outside tmux this returns only on failure.
    pub fn attach(&self, target: &Target) -> Result<()> {
        if !target::addressable(&target.name) {
            anyhow::bail!(
                "tmux cannot reach a session named '{}': a name that starts with '$' is read as a session id (rename it with tmux rename-session)",
                target.name
            );
        }
        if self.env().inside_tmux() {
            return self.switch(target);
        }
        if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
            anyhow::bail!(
                "not a terminal: cannot attach to '{}' (use --detached to create it without attaching)",
                target.name
            );
        }
        let server_down = !self.tmux.server_running();
        let has_records = server_down && !self.records()?.is_empty();
        if (self.config.auto_restore && has_records) || self.restorable(target)?.is_some() {
            // Something to rebuild first: ensure (restore) in one call, then attach.
            self.ensure(target, None)?;
            return Err(self.exec_attach(target));
        }
        self.record(target, None)?;
        if let Some(twin) = self.second_terminal(target)? {
            self.failures().clear();
            return Err(self.tmux.exec(&twin).into());
        }
        let batch = new_session(target, Start::Attach)
            .greet_once(&target.name)
            .extend(self.hooks());
        // An attach by hand that gets this far lifts a pause of auto-attach.
        self.failures().clear();
        Err(self.tmux.exec(&batch).into())
    }

    /// Like `ensure_session`, but gives up after `limit` (the login path).
    pub fn ensure_within(&self, target: &Target, limit: Duration) -> Result<bool> {
        self.ensure(target, Some(limit))
    }

    /// Replaces this process with `tmux attach-session` to an existing session, which
    /// lifts a pause of auto-attach on this server. Returns only on failure.
    pub fn exec_attach(&self, target: &Target) -> anyhow::Error {
        let batch = match self.second_terminal(target) {
            Ok(Some(twin)) => twin,
            Ok(None) => Batch::new()
                .attach_session(At::Name(&target.name))
                .greet_once(&target.name)
                .extend(self.hooks()),
            Err(err) => return err,
        };
        self.failures().clear();
        self.tmux.exec(&batch).into()
    }

    /// With `second_terminal = "group"`, when the session already has a client (itself
    /// or a second terminal's session of its group): the call that attaches this
    /// terminal through a session of its own in the group. `None`: attach as usual.
    fn second_terminal(&self, target: &Target) -> Result<Option<Batch>> {
        if self.config.second_terminal != SecondTerminal::Group
            || !target::addressable(&target.name)
        {
            return Ok(None);
        }
        let live = self.live_sessions()?;
        let in_group = |row: &&SessionRow| {
            row.name == target.name || row.group.as_deref() == Some(target.name.as_str())
        };
        if !live.iter().filter(in_group).any(|row| row.attached > 0) {
            return Ok(None);
        }
        // Named after this process, which becomes the tmux client: terminals opening
        // at the same moment never pick the same name.
        let twin = format!("{}~{}", target.name, std::process::id());
        Ok(Some(
            Batch::new()
                .attach_grouped(&target.name, &twin, &target.start_dir)
                .extend(self.hooks()),
        ))
    }

    fn switch(&self, target: &Target) -> Result<()> {
        let switch = Batch::new()
            .switch_client(At::Name(&target.name))
            .greet_once(&target.name)
            .extend(self.hooks());
        match self.tmux.run(&switch) {
            Ok(_) => {
                self.failures().clear();
                self.record(target, None)
            }
            Err(Error::NoSuchSession(_)) | Err(Error::NoServer) => {
                self.ensure(target, None)?;
                self.tmux.run_checked(&switch)?;
                self.failures().clear();
                Ok(())
            }
            Err(err) => Err(self.tmux.explain(err).into()),
        }
    }
}

/// A new session in its start folder, marked as ours.
fn new_session(target: &Target, start: Start) -> Batch {
    let spawn = Spawn {
        dir: Some(&target.start_dir),
        ..Spawn::default()
    };
    Batch::new()
        .new_session(&target.name, start, &spawn)
        .mark_managed(Some(At::Name(&target.name)))
}

/// Why a session could not be made.
enum Failed {
    /// It exists already ("duplicate session"): made meanwhile by another terminal.
    Duplicate,
    /// tmux refused a command; carries what the call printed before that.
    Tmux(Error, String),
    /// No answer, no server, no tmux.
    Other(Error),
}
