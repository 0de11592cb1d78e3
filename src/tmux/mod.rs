//! The only place tmux is spawned: server selection, one-call batches, exec for attach.

mod command;
pub(crate) mod format;
pub(crate) mod target;
mod wire;

pub(crate) use command::{At, Panes, Spawn, Start};

use crate::error::Error;
use std::ffi::OsString;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a question asked only to explain a failure may take.
const LOOKUP: Duration = Duration::from_secs(2);

/// The most a call over the socket waits when its caller set no limit: far more than
/// any command of ours takes, far less than forever.
const SOCKET_LIMIT: Duration = Duration::from_secs(10);

/// Which tmux server to talk to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Socket {
    /// tmux's default server (`$TMUX_TMPDIR/tmux-UID/default`).
    Default,
    /// A named server (`tmux -L NAME`).
    Name(String),
    /// A socket path (`tmux -S PATH`).
    Path(PathBuf),
}

impl Socket {
    /// Selection order of SPEC §2: explicit flags, then `THANOS_TMUX_SOCKET`, then the
    /// server of `$TMUX` when inside tmux, else tmux's default.
    pub fn select(name: Option<String>, path: Option<PathBuf>) -> Socket {
        if let Some(path) = path {
            return Socket::Path(path);
        }
        if let Some(name) = name {
            return Socket::Name(name);
        }
        if let Some(value) = non_empty_env("THANOS_TMUX_SOCKET") {
            return if value.contains('/') {
                Socket::Path(PathBuf::from(value))
            } else {
                Socket::Name(value)
            };
        }
        if let Some(tmux) = non_empty_env("TMUX") {
            if let Some(path) = tmux.split(',').next().filter(|p| !p.is_empty()) {
                return Socket::Path(PathBuf::from(path));
            }
        }
        Socket::Default
    }

    /// The socket file this selection resolves to, as tmux computes it.
    pub fn path(&self) -> PathBuf {
        match self {
            Socket::Path(path) => path.clone(),
            Socket::Default => socket_dir().join("default"),
            Socket::Name(name) => socket_dir().join(name),
        }
    }

    /// tmux's own check of the folder it keeps named sockets in (`tmux-UID` under
    /// `TMUX_TMPDIR`), made before anything is sent there: a real folder (no symlink),
    /// owned by this user, closed to others. Another user who made that folder first
    /// (the default `/tmp` is shared) could otherwise listen there and read the
    /// environment every client sends. A path given with `-S` is the user's own
    /// choice and, as by tmux, is not checked.
    pub(crate) fn check(&self) -> Result<(), Error> {
        use std::os::unix::fs::MetadataExt;
        if let Socket::Path(_) = self {
            return Ok(());
        }
        let dir = socket_dir();
        let meta = match std::fs::symlink_metadata(&dir) {
            Ok(meta) => meta,
            // No folder, no server: the binary makes it when it starts one.
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(unsafe_socket(&dir, &err.to_string())),
        };
        let uid = crate::os::uid();
        if !meta.is_dir() {
            return Err(unsafe_socket(&dir, "it is not a folder (a symlink?)"));
        }
        if meta.uid() != uid {
            return Err(unsafe_socket(
                &dir,
                &format!("it belongs to uid {}", meta.uid()),
            ));
        }
        if meta.mode() & 0o007 != 0 {
            return Err(unsafe_socket(
                &dir,
                &format!("other users may use it (mode {:o})", meta.mode() & 0o7777),
            ));
        }
        Ok(())
    }

    fn args(&self) -> Vec<OsString> {
        match self {
            Socket::Default => Vec::new(),
            Socket::Name(name) => vec!["-L".into(), name.into()],
            Socket::Path(path) => vec!["-S".into(), path.into()],
        }
    }
}

fn non_empty_env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.is_empty())
}

/// `$TMUX_TMPDIR/tmux-UID`, the folder tmux keeps named sockets in: as tmux makes it,
/// with the base folder's real path and `tmux-UID` itself never followed as a link.
fn socket_dir() -> PathBuf {
    let base = non_empty_env("TMUX_TMPDIR").unwrap_or_else(|| "/tmp".into());
    let base = std::fs::canonicalize(&base).unwrap_or_else(|_| PathBuf::from(base));
    let uid = crate::os::uid();
    base.join(format!("tmux-{uid}"))
}

fn unsafe_socket(dir: &Path, why: &str) -> Error {
    Error::Tmux {
        command: "connect".into(),
        message: format!(
            "refusing the socket folder {}: {why}; tmux refuses it too. Remove it, \
             or set TMUX_TMPDIR to a folder of your own",
            dir.display()
        ),
    }
}

/// tmux refuses a command message over 16 KiB; packed calls stay well below that.
pub(crate) const MAX_BATCH_BYTES: usize = 15_000;

/// tmux 3.7 refuses a command line of more than 1000 arguments (`;` included).
pub(crate) const MAX_BATCH_ARGS: usize = 1000;

/// Several tmux commands sent in one invocation, separated by `;`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Batch {
    args: Vec<String>,
}

impl Batch {
    /// An empty batch.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Appends one tmux command. Arguments reach tmux unchanged: an argument that ends in
    /// `;` (which tmux would read as a separator) is escaped here. Doubling `#` in
    /// arguments that tmux expands is the caller's job (`target::literal`).
    fn cmd<I, S>(mut self, parts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        if !self.args.is_empty() {
            self.args.push(";".into());
        }
        self.args
            .extend(parts.into_iter().map(|p| escape_separator(p.into())));
        self
    }

    /// Appends all commands of another batch.
    pub(crate) fn extend(mut self, other: Batch) -> Self {
        if !other.args.is_empty() {
            if !self.args.is_empty() {
                self.args.push(";".into());
            }
            self.args.extend(other.args);
        }
        self
    }

    /// Bytes the arguments take, to keep a call under tmux's message size limit.
    pub(crate) fn size(&self) -> usize {
        self.args.iter().map(|a| a.len() + 1).sum()
    }

    /// Arguments the batch sends, `;` separators included (tmux 3.7 takes 1000 at most).
    pub(crate) fn arg_count(&self) -> usize {
        self.args.len()
    }

    /// The batch cut into its single commands (a bare `;` argument is always ours:
    /// a `;` the caller passed ends in `\;` by now).
    pub(crate) fn into_commands(self) -> Vec<Batch> {
        self.args
            .split(|a| a == ";")
            .filter(|c| !c.is_empty())
            .map(|c| Batch { args: c.to_vec() })
            .collect()
    }

    /// The commands of `batches` in as few calls as fit every server's limits (message
    /// size, argument count). For commands that name their targets exactly, so that a
    /// cut may fall anywhere between two of them.
    pub(crate) fn pack(batches: impl IntoIterator<Item = Batch>) -> Vec<Batch> {
        let mut calls: Vec<Batch> = Vec::new();
        let mut current = Batch::new();
        for command in batches.into_iter().flat_map(Batch::into_commands) {
            let too_big = current.size() + command.size() > MAX_BATCH_BYTES
                || current.arg_count() + 1 + command.arg_count() > MAX_BATCH_ARGS;
            if !current.is_empty() && too_big {
                calls.push(std::mem::take(&mut current));
            }
            current = current.extend(command);
        }
        if !current.is_empty() {
            calls.push(current);
        }
        calls
    }

    /// True when no command was added.
    pub(crate) fn is_empty(&self) -> bool {
        self.args.is_empty()
    }

    /// The commands' names, for messages (`new-session; set-option`).
    pub(crate) fn name(&self) -> String {
        let mut names = Vec::new();
        let mut at_start = true;
        for arg in &self.args {
            if at_start {
                names.push(arg.as_str());
            }
            at_start = arg == ";";
        }
        names.dedup();
        match names.len() {
            0..=3 => names.join("; "),
            _ => format!("{}; …", names[..3].join("; ")),
        }
    }
}

/// tmux splits an argument that ends in `;` into the argument and a command separator;
/// `\;` at the end stands for a literal `;`.
fn escape_separator(arg: String) -> String {
    match arg.strip_suffix(';') {
        Some(head) => format!("{head}\\;"),
        None => arg,
    }
}

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
    /// tmux from PATH, talking to `socket`. The path is looked up here, with a `stat` per
    /// PATH entry: letting the child search costs a failed `execve` per entry instead.
    pub(crate) fn new(socket: Socket) -> Self {
        let found = find_in_path("tmux");
        Self {
            wire: found.is_some() && std::env::var_os("THANOS_TMUX_SPAWN").is_none_or(|v| v != "1"),
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
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::unix::net::{UnixListener, UnixStream};

    /// Reads a client's frames up to and including its command (type 200).
    fn read_command(stream: &mut UnixStream) {
        let mut buffer = Vec::new();
        loop {
            let mut at = 0;
            while buffer.len() >= at + 16 {
                let kind = u32::from_ne_bytes(buffer[at..at + 4].try_into().unwrap());
                let len = u16::from_ne_bytes(buffer[at + 4..at + 6].try_into().unwrap());
                if kind == 200 && buffer.len() >= at + usize::from(len) {
                    return;
                }
                at += usize::from(len);
            }
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).unwrap();
            assert!(n > 0, "the client hung up before its command");
            buffer.extend_from_slice(&chunk[..n]);
        }
    }

    /// A real tmux server, of the tmux on PATH, on a socket of its own; ended on drop.
    struct Server {
        dir: tempfile::TempDir,
    }

    impl Server {
        fn start() -> Server {
            let dir = tempfile::Builder::new()
                .prefix("thanos-unit.")
                .tempdir_in("/tmp")
                .unwrap();
            let server = Server { dir };
            let started = server
                .raw()
                .args([
                    "-f",
                    "/dev/null",
                    "new-session",
                    "-d",
                    "-s",
                    "keep",
                    "sleep 600",
                ])
                .status()
                .unwrap();
            assert!(started.success());
            server
        }

        fn socket(&self) -> PathBuf {
            self.dir.path().join("sock")
        }

        /// `tmux -S SOCKET`, not through the code under test.
        #[allow(clippy::disallowed_methods)] // the test's own view of the server
        fn raw(&self) -> Command {
            let mut cmd = Command::new("tmux");
            cmd.arg("-S")
                .arg(self.socket())
                .env_remove("TMUX")
                .env_remove("TMUX_PANE");
            cmd
        }

        fn alive(&self) -> bool {
            let out = self
                .raw()
                .args(["list-panes", "-a", "-F", "#{pane_dead}"])
                .output()
                .unwrap();
            out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "0"
        }
    }

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.raw().arg("kill-server").status();
        }
    }

    /// The benchmark sends raw tmux the same words as thanos-tmux; its copy of them
    /// must follow the code.
    #[test]
    fn the_benchmark_words_match_the_code() {
        let words: serde_json::Value =
            serde_json::from_str(include_str!("../../bench/tmux-words.json")).unwrap();
        assert_eq!(words["tmux::format::SESSIONS"], format::SESSIONS);
        assert_eq!(words["tmux::format::PANES"], format::PANES);
        assert_eq!(words["tmux::MAX_BATCH_BYTES"], MAX_BATCH_BYTES);
        assert_eq!(words["tmux::MAX_BATCH_ARGS"], MAX_BATCH_ARGS);
        assert_eq!(words["hooks::INDEX"], crate::hooks::INDEX);
        assert_eq!(words.as_object().map(|o| o.len()), Some(5), "{words}");
    }

    #[test]
    fn commands_that_ask_the_client_for_input_or_files_leave_the_server_alive() {
        let server = Server::start();
        let tmux = Tmux::new(Socket::Path(server.socket()));
        // The server asks for stdin, which this client never sends: refused, not hung.
        let _ = tmux.run(&Batch::new().cmd(["load-buffer", "-"]));
        assert!(server.alive(), "after load-buffer -");
        tmux.run(&Batch::new().cmd(["set-buffer", "-b", "t", "hello"]))
            .unwrap();
        // The server asks to write a file through the client: refused as well.
        let _ = tmux.run(&Batch::new().cmd(["save-buffer", "-b", "t", "/dev/stdout"]));
        assert!(server.alive(), "after save-buffer to the client's stdout");
        let names = tmux
            .run(&Batch::new().list_sessions(format::NAMES))
            .unwrap();
        assert_eq!(format::parse_names(&names).unwrap(), ["keep"]);
    }

    #[test]
    fn a_query_the_server_hangs_up_on_once_is_asked_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sock");
        let listener = UnixListener::bind(&path).unwrap();
        let server = std::thread::spawn(move || {
            // First connection: the command arrives, the server hangs up.
            let (mut first, _) = listener.accept().unwrap();
            read_command(&mut first);
            drop(first);
            // Second: it answers, with "work" on stdout and exit status 0.
            let (mut second, _) = listener.accept().unwrap();
            read_command(&mut second);
            let mut answer = Vec::new();
            for (kind, body) in [
                (303u32, [1i32, 1, 0].map(i32::to_ne_bytes).concat()),
                (304, [&1i32.to_ne_bytes()[..], b"work\n"].concat()),
                (203, 0i32.to_ne_bytes().to_vec()),
            ] {
                wire::frame(&mut answer, kind, &body);
            }
            second.write_all(&answer).unwrap();
            let _ = std::io::copy(&mut second, &mut std::io::sink());
        });
        let mut tmux = Tmux::new(Socket::Path(path));
        // Over the socket even where the environment asks for the binary.
        tmux.wire = true;
        let batch = Batch::new().cmd(["list-sessions", "-F", "#{session_name}"]);
        assert_eq!(tmux.query(&batch).unwrap().as_deref(), Some("work\n"));
        server.join().unwrap();
    }

    #[test]
    fn packing_respects_the_size_limit() {
        let big: Vec<Batch> = (0..50)
            .map(|i| {
                Batch::new().cmd([
                    "new-session",
                    "-d",
                    "-s",
                    &format!("s{i}"),
                    "-c",
                    &"x".repeat(1000),
                ])
            })
            .collect();
        let calls = Batch::pack(big);
        assert!(calls.len() > 1);
        assert!(calls.iter().all(|c| c.size() <= MAX_BATCH_BYTES));
        let sessions: usize = calls
            .iter()
            .map(|c| format!("{c:?}").matches("new-session").count())
            .sum();
        assert_eq!(sessions, 50, "every session lands in exactly one call");
        // One session larger than a call is cut between commands.
        let huge = (0..40).fold(Batch::new(), |b, i| {
            b.cmd([
                "split-window",
                "-t",
                "=s:",
                "-c",
                &format!("{i}{}", "y".repeat(1000)),
            ])
        });
        let calls = Batch::pack(vec![huge]);
        assert!(calls.len() > 1 && calls.iter().all(|c| c.size() <= MAX_BATCH_BYTES));
    }

    #[test]
    fn packing_respects_the_argument_limit() {
        // 60 sessions of 3 windows: far under the size limit, far over 1000 arguments.
        let many: Vec<Batch> = (0..180)
            .map(|i| Batch::new().cmd(["new-window", "-t", &format!("=s{}:", i / 3), "-c", "/"]))
            .collect();
        let calls = Batch::pack(many);
        assert!(calls.len() > 1);
        assert!(calls.iter().all(|c| c.arg_count() <= MAX_BATCH_ARGS));
        let commands: usize = calls.iter().map(|c| c.clone().into_commands().len()).sum();
        assert_eq!(commands, 180);
    }
}
