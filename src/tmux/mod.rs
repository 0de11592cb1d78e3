//! The only place tmux is spawned: server selection, one-call batches, exec for attach.

mod batch;
mod command;
pub(crate) mod format;
mod socket;
pub(crate) mod target;
mod wire;

pub(crate) use batch::Batch;
pub(crate) use command::{At, Panes, Spawn, Start};
pub use socket::Socket;

use crate::error::Error;
use std::ffi::OsString;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a question asked only to explain a failure may take.
const LOOKUP: Duration = Duration::from_secs(2);

/// The most a call over the socket waits when its caller set no limit: far more than
/// any command of ours takes, far less than forever.
const SOCKET_LIMIT: Duration = Duration::from_secs(10);

/// A tmux installation and the server it talks to.
#[derive(Clone, Debug)]
pub(crate) struct Tmux {
    program: OsString,
    socket: Socket,
    /// Commands go straight to a running server's socket (see `wire`); off when tmux
    /// is not on PATH (the user must hear that) or `THANOS_TMUX_SPAWN=1`.
    wire: bool,
    /// When set, every call gets only the time left until then (the login path), and
    /// how long that was in all.
    deadline: Option<(Instant, Duration)>,
}

/// What tmux printed for a batch and whether it succeeded.
struct Answer {
    ok: bool,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl From<std::process::Output> for Answer {
    fn from(output: std::process::Output) -> Self {
        Answer {
            ok: output.status.success(),
            stdout: output.stdout,
            stderr: output.stderr,
        }
    }
}

impl Answer {
    /// The output, or tmux's message as a typed error.
    fn into_output(self, batch: &Batch) -> Result<String, Error> {
        if self.ok && !self.said_only() {
            return Ok(String::from_utf8_lossy(&self.stdout).into_owned());
        }
        let message = String::from_utf8_lossy(&self.stderr).trim().to_string();
        Err(classify(&batch.name(), message))
    }

    /// tmux's client exits 0 when it cannot make the socket it was given ("error
    /// creating /no/such/sock"), having run nothing: an answer that is only a message
    /// is a failure. (Our commands that succeed print their answer or nothing at all.)
    fn said_only(&self) -> bool {
        self.stdout.is_empty() && !self.stderr.iter().all(u8::is_ascii_whitespace)
    }
}

impl Tmux {
    /// tmux from PATH, talking to `socket`; `spawn_only` sends every command through
    /// the `tmux` binary, never over the socket. The path is looked up here (as `exec`
    /// would: PATH is the process's own), with a `stat` per PATH entry: letting the
    /// child search costs a failed `execve` per entry instead.
    pub(crate) fn new(socket: Socket, spawn_only: bool) -> Self {
        let found = find_in_path("tmux");
        Self {
            wire: found.is_some() && !spawn_only,
            program: found.unwrap_or_else(|| "tmux".into()),
            socket,
            deadline: None,
        }
    }

    /// From now on, all calls together get `limit`; a call past it is a `Timeout`.
    pub(crate) fn set_limit(&mut self, limit: Duration) {
        self.deadline = Some((Instant::now() + limit, limit));
    }

    /// The limit of a call: the one asked for, cut to what is left of the deadline.
    fn time_left(&self, batch: &Batch, limit: Option<Duration>) -> Result<Option<Duration>, Error> {
        let Some((deadline, _)) = self.deadline else {
            return Ok(limit);
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(self.timed_out(batch, limit));
        }
        Ok(Some(limit.map_or(left, |l| l.min(left))))
    }

    /// "did not answer within N seconds": the deadline of all calls when one is set,
    /// else this call's limit.
    fn timed_out(&self, batch: &Batch, limit: Option<Duration>) -> Error {
        let within = self
            .deadline
            .map(|(_, all)| all)
            .or(limit)
            .unwrap_or(SOCKET_LIMIT);
        Error::Timeout(format!(
            "{} seconds ({})",
            within.as_secs_f64().round().max(1.0),
            batch.name()
        ))
    }

    /// The server selection.
    pub(crate) fn socket(&self) -> &Socket {
        &self.socket
    }

    /// True when a server listens on the socket. Costs a `connect`, not a process. A
    /// socket folder that fails tmux's check counts as running: nothing is connected
    /// to, and the next call says why.
    pub(crate) fn server_running(&self) -> bool {
        if self.socket.check().is_err() {
            return true;
        }
        match crate::os::connect_now(&self.socket.path()) {
            Ok(_) => true,
            // Listening, too busy to take the connection now.
            Err(err) => err.kind() == io::ErrorKind::WouldBlock,
        }
    }

    /// `tmux FLAGS SOCKET BATCH`.
    fn command(&self, flags: &[&str], batch: &Batch) -> Command {
        #[allow(clippy::disallowed_methods)] // the one place tmux is started
        let mut cmd = Command::new(&self.program);
        // TMUX and TMUX_PANE stay: inside tmux they tell the server which client is ours.
        cmd.args(flags).args(self.socket.args()).args(&batch.args);
        cmd
    }

    /// A command whose output we read: `-u` so names come back exactly (not with `_`
    /// for non-ASCII) whatever the locale, as they do over the socket.
    fn output_command(&self, batch: &Batch) -> Command {
        let mut cmd = self.command(&["-u"], batch);
        cmd.stdin(Stdio::null());
        cmd
    }

    /// Runs a batch and returns its stdout. A non-zero exit becomes a typed error
    /// carrying tmux's message.
    pub(crate) fn run(&self, batch: &Batch) -> Result<String, Error> {
        self.run_within(batch, None)
    }

    /// `run` for a batch whose every failure is unexpected: a failure is also checked
    /// against the tmux version, so an old or broken tmux is reported as such. A batch
    /// too large for one call is sent in several (`Batch::pack`).
    pub(crate) fn run_checked(&self, batch: &Batch) -> Result<String, Error> {
        let mut out = String::new();
        for call in Batch::pack([batch.clone()]) {
            out.push_str(&self.run(&call).map_err(|e| self.explain(e))?);
        }
        Ok(out)
    }

    /// Runs a batch on the server if one runs; `None` when none does (and none is
    /// started). Over the socket, the connection itself tells: no separate probe.
    pub(crate) fn query(&self, batch: &Batch) -> Result<Option<String>, Error> {
        self.socket.check()?;
        let limit = self.time_left(batch, None)?;
        let answer = match self.over_socket(batch, limit) {
            Some(wire::Outcome::NoServer) => return Ok(None),
            // A server that hangs up on a query twice is on its way out (just killed,
            // say). Once could be a glitch, and "no sessions" is not a harmless answer
            // (the last session closing ends the server).
            Some(wire::Outcome::Lost(_)) => match self.over_socket(batch, limit) {
                Some(wire::Outcome::NoServer | wire::Outcome::Lost(_)) | None => return Ok(None),
                Some(outcome) => self.outcome(batch, outcome, limit),
            },
            Some(outcome) => self.outcome(batch, outcome, limit),
            None if !self.server_running() => return Ok(None),
            None => self.spawn(batch, limit),
        };
        match answer.and_then(|a| a.into_output(batch)) {
            Err(Error::NoServer) => Ok(None),
            other => other.map(Some),
        }
    }

    /// Runs a batch that may fail partway (tmux stops a batch at its first failing
    /// command): what it printed up to there, and how it ended.
    pub(crate) fn run_partial(
        &self,
        batch: &Batch,
        limit: Option<Duration>,
    ) -> (String, Result<(), Error>) {
        match self.answer(batch, limit) {
            Ok(answer) => {
                let printed = String::from_utf8_lossy(&answer.stdout).into_owned();
                (printed, answer.into_output(batch).map(drop))
            }
            Err(err) => (String::new(), Err(err)),
        }
    }

    /// Through the server's socket when a server answers there; else (no server yet,
    /// another protocol, a command too long for one message) through the `tmux` binary.
    fn run_within(&self, batch: &Batch, limit: Option<Duration>) -> Result<String, Error> {
        self.answer(batch, limit)?.into_output(batch)
    }

    fn answer(&self, batch: &Batch, limit: Option<Duration>) -> Result<Answer, Error> {
        self.socket.check()?;
        let limit = self.time_left(batch, limit)?;
        match self.over_socket(batch, limit) {
            None | Some(wire::Outcome::NoServer) => self.spawn(batch, limit),
            Some(outcome) => self.outcome(batch, outcome, limit),
        }
    }

    /// The batch sent over the socket, unless that is off (`None`). A call without a
    /// limit gets `SOCKET_LIMIT` there: a server that never answers must not hold a
    /// command forever.
    fn over_socket(&self, batch: &Batch, limit: Option<Duration>) -> Option<wire::Outcome> {
        self.wire
            .then(|| self.socket_run(batch, limit.unwrap_or(SOCKET_LIMIT)))
    }

    /// The batch sent over the socket, whether or not that is on.
    fn socket_run(&self, batch: &Batch, limit: Duration) -> wire::Outcome {
        let default = self.socket == Socket::Default;
        wire::run(&self.socket.path(), &batch.args, default, Some(limit))
    }

    /// What the socket's answer means; `Unavailable` hands the batch to the binary.
    fn outcome(
        &self,
        batch: &Batch,
        outcome: wire::Outcome,
        limit: Option<Duration>,
    ) -> Result<Answer, Error> {
        match outcome {
            wire::Outcome::Done { ok, stdout, stderr } => Ok(Answer { ok, stdout, stderr }),
            wire::Outcome::Lost(message) => Err(classify(&batch.name(), message)),
            wire::Outcome::TimedOut => Err(self.timed_out(batch, limit)),
            wire::Outcome::Flood => Err(Error::Tmux {
                command: batch.name(),
                message: "the server's answer is larger than any command's (16 MiB)".into(),
            }),
            wire::Outcome::Garbled => Err(Error::Tmux {
                command: batch.name(),
                message: "the server's answer is not tmux's protocol".into(),
            }),
            wire::Outcome::NoServer | wire::Outcome::Unavailable => self.spawn(batch, limit),
        }
    }

    fn spawn(&self, batch: &Batch, limit: Option<Duration>) -> Result<Answer, Error> {
        match limit {
            None => {
                let output = self.output_command(batch).output().map_err(spawn_error)?;
                Ok(output.into())
            }
            Some(limit) => self.spawn_timeout(batch, limit),
        }
    }

    fn spawn_timeout(&self, batch: &Batch, limit: Duration) -> Result<Answer, Error> {
        let mut child = self
            .output_command(batch)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(spawn_error)?;
        let start = Instant::now();
        let mut pause = Duration::from_micros(200);
        loop {
            if child.try_wait().map_err(spawn_error)?.is_some() {
                break;
            }
            if start.elapsed() >= limit {
                let _ = child.kill();
                let _ = child.wait();
                return Err(self.timed_out(batch, Some(limit)));
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(20));
        }
        Ok(child.wait_with_output().map_err(spawn_error)?.into())
    }

    /// Replaces this process with tmux running `batch` (used to attach, so that no
    /// thanos-tmux process lingers). Returns only on failure.
    pub(crate) fn exec(&self, batch: &Batch) -> Error {
        spawn_error(self.command(&[], batch).exec())
    }

    /// `tmux -V`, parsed. Older than 3.2 or unparsable is `TmuxUnusable`.
    pub(crate) fn version(&self) -> Result<String, Error> {
        #[allow(clippy::disallowed_methods)] // the one place tmux is started
        let output = Command::new(&self.program)
            .arg("-V")
            .stdin(Stdio::null())
            .output()
            .map_err(spawn_error)?;
        let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
        match format::parse_version(&text) {
            Some(v) if v >= (3, 2) => Ok(text.trim_start_matches("tmux ").to_string()),
            Some(_) => Err(Error::TmuxUnusable(format!(
                "{text} is too old; thanos-tmux needs tmux 3.2 or newer"
            ))),
            None => Err(Error::TmuxUnusable(format!(
                "`tmux -V` answered {text:?}; expected something like \"tmux 3.3a\""
            ))),
        }
    }

    /// The version of the running server (`#{version}`), which may differ from the
    /// binary's after an upgrade. Asked over the socket even when the binary is forced
    /// (`THANOS_TMUX_SPAWN=1`): a binary of another version may not be understood by the
    /// server at all. `None` when no server answers readably.
    pub(crate) fn server_version(&self) -> Option<String> {
        self.socket.check().ok()?;
        let batch = Batch::new().cmd(["display-message", "-p", format::SERVER]);
        let answer = match self.socket_run(&batch, LOOKUP) {
            wire::Outcome::Done {
                ok: true, stdout, ..
            } => String::from_utf8_lossy(&stdout).into_owned(),
            wire::Outcome::Unavailable => self.query(&batch).ok()??,
            _ => return None,
        };
        format::parse_server(&answer).ok().map(|s| s.version)
    }

    /// An answer that is not the records asked for. The likely cause is a server of
    /// another tmux version than the binary on PATH (right after an upgrade): the
    /// message names both, and what to do.
    pub(crate) fn unreadable(&self, batch: &Batch, err: format::Unreadable) -> Error {
        self.mismatch(batch.name(), &format!("unexpected answer {}", err.0))
    }

    /// One line for a server that does not understand the `tmux` on PATH (or is not
    /// understood): both versions, as far as they can be known, and what to do.
    fn mismatch(&self, command: String, what: &str) -> Error {
        let server = self.server_version();
        let binary = self.version().ok();
        let message = match (server, binary) {
            (Some(server), Some(binary)) if server != binary => format!(
                "the server is tmux {server}, `tmux` on PATH is {binary} ({what}): \
                 restart the server (tmux kill-server) or put tmux {server} first on PATH"
            ),
            (server, binary) => format!(
                "{what} (server: tmux {}, `tmux` on PATH: {}); after an upgrade, \
                 restart the server (tmux kill-server)",
                server.as_deref().unwrap_or("unknown"),
                binary.as_deref().unwrap_or("unknown")
            ),
        };
        Error::Tmux { command, message }
    }

    /// Turns an unexpected tmux failure into the clearest error: a tmux that is too old
    /// or broken is reported as such (exit 3), anything else is passed on.
    /// A server that drops the binary's client ("server exited unexpectedly" while it
    /// runs on) is of another version: that is said, with both versions.
    pub(crate) fn explain(&self, err: Error) -> Error {
        let Error::Tmux { command, message } = &err else {
            return err;
        };
        if let Err(version_err) = self.version() {
            return version_err;
        }
        if message.contains("server exited unexpectedly") && self.server_running() {
            return self.mismatch(command.clone(), message);
        }
        err
    }
}

/// The first executable file called `name` in PATH.
fn find_in_path(name: &str) -> Option<OsString> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(name))
        .find(|file| {
            std::fs::metadata(file)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
        .map(PathBuf::into_os_string)
}

fn spawn_error(err: io::Error) -> Error {
    match err.kind() {
        io::ErrorKind::NotFound => Error::TmuxMissing,
        _ => Error::TmuxUnusable(format!("could not run tmux: {err}")),
    }
}

/// Sorts tmux's stderr into the typed errors callers branch on.
fn classify(command: &str, message: String) -> Error {
    if message.starts_with("no server running")
        || (message.starts_with("error connecting to") && message.contains("No such file"))
    {
        return Error::NoServer;
    }
    // With an exact session target, tmux reports a missing session either way.
    let missing = message
        .strip_prefix("can't find session: ")
        .or_else(|| message.strip_prefix("can't find window: "));
    if let Some(name) = missing {
        return Error::NoSuchSession(name.trim_start_matches('=').to_string());
    }
    Error::Tmux {
        command: command.to_string(),
        message,
    }
}

#[cfg(test)]
mod tests;
