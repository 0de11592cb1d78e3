//! Shared fixture of the integration tests: a private tmux server, HOME and XDG folders
//! per test (`Sandbox`), and a real terminal to type into (`Terminal`).
//!
//! Every test builds its own `Sandbox`; dropping it ends that sandbox's tmux servers
//! (and only those) and removes the folder.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_thanos-tmux"))
}

/// Records of tmux output printed with `#{q:…}` fields, `|` after each field and `>`
/// after each record, as the binary asks for them. This is the tests' own reading,
/// kept apart from the library's: tmux 3.4 and 3.5 escape what they print as `vis(3)`
/// does (`\ooo`, `\n`, … and `\$` for a `$` quoted before), others print it raw.
pub fn records(output: &str) -> Vec<Vec<String>> {
    let mut bytes = output.bytes().peekable();
    let (mut rows, mut fields, mut field) = (Vec::new(), Vec::new(), Vec::new());
    let text = |field: &mut Vec<u8>| String::from_utf8_lossy(&std::mem::take(field)).into_owned();
    while let Some(byte) = bytes.next() {
        match byte {
            b'|' => fields.push(text(&mut field)),
            b'>' => {
                fields.push(text(&mut field));
                rows.push(std::mem::take(&mut fields));
                bytes.next_if_eq(&b'\n');
            }
            b'\\' => {
                let escaped = bytes.next().expect("output ends inside an escape");
                let octal = |b: &u8| (b'0'..=b'7').contains(b);
                field.push(match escaped {
                    b'\\' if bytes.next_if_eq(&b'$').is_some() => b'$',
                    b'0'..=b'3' if bytes.peek().is_some_and(octal) => {
                        let (b, c) = (bytes.next().unwrap(), bytes.next().unwrap());
                        assert!(octal(&c), "a broken octal escape in {output:?}");
                        (escaped - b'0') << 6 | (b - b'0') << 3 | (c - b'0')
                    }
                    b'a' => 0x07,
                    b'b' => 0x08,
                    b't' => b'\t',
                    b'n' => b'\n',
                    b'v' => 0x0b,
                    b'f' => 0x0c,
                    b'r' => b'\r',
                    b's' => b' ',
                    other => other,
                });
            }
            other => field.push(other),
        }
    }
    assert!(
        fields.is_empty() && field.is_empty(),
        "not whole records: {output:?}"
    );
    rows
}

/// Polls `cond` every 20 ms until it holds or `timeout` passes. True when it held.
pub fn wait_for(mut cond: impl FnMut() -> bool, timeout: Duration) -> bool {
    let start = Instant::now();
    loop {
        if cond() {
            return true;
        }
        if start.elapsed() >= timeout {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The exit code; a death by signal N is `128 + N`, as a shell reports it.
pub fn exit_code(out: &Output) -> i32 {
    match (out.status.code(), out.status.signal()) {
        (Some(code), _) => code,
        (None, Some(signal)) => 128 + signal,
        (None, None) => -1,
    }
}

/// Describes a finished command for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "exit {}\n--- stdout ---\n{}--- stderr ---\n{}",
        exit_code(out),
        stdout(out),
        stderr(out)
    )
}

/// Asserts that a failing command told the user in exactly one line, prefixed with the
/// program name, with no panic or backtrace.
pub fn assert_one_error_line(out: &Output) {
    let err = stderr(out);
    assert!(
        !err.contains("panicked") && !err.contains("stack backtrace"),
        "a panic reached the user:\n{}",
        describe(out)
    );
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "expected exactly one line on stderr:\n{}",
        describe(out)
    );
    assert!(
        lines[0].starts_with("thanos-tmux:"),
        "the error line must start with 'thanos-tmux:':\n{}",
        describe(out)
    );
}

/// True when the process is gone (a zombie counts as gone).
pub fn pid_gone(pid: u32) -> bool {
    if !Path::new("/proc/self/stat").exists() {
        // No /proc (macOS): signal 0 tells whether the pid exists (a zombie still does).
        // SAFETY: kill with signal 0 only checks for the process.
        return unsafe { libc::kill(pid as libc::pid_t, 0) } != 0;
    }
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.trim_start().starts_with('Z'))
            .unwrap_or(false),
    }
}

/// The tmux.conf the sandbox's HOME holds: cheap panes (plain `sh`, no login shell) and
/// messages that stay long enough for a test to read them off the screen.
pub const SANDBOX_TMUX_CONF: &str = "\
set -g default-shell /bin/sh
set -g default-command /bin/sh
set -g display-time 5000
";

/// A private world for one test: a temp folder directly under /tmp (socket paths are
/// short) holding `home/`, `state/` (XDG_STATE_HOME), `config/` (XDG_CONFIG_HOME) and
/// `tmux/` (TMUX_TMPDIR, so the binary and `tmux()` talk to the sandbox's own server).
pub struct Sandbox {
    dir: tempfile::TempDir,
    pub root: PathBuf,
    pub home: PathBuf,
    pub state: PathBuf,
    pub config: PathBuf,
    pub tmux_tmpdir: PathBuf,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("tt")
            .tempdir_in("/tmp")
            .expect("create a sandbox under /tmp");
        let root = dir.path().to_path_buf();
        let sandbox = Sandbox {
            home: root.join("home"),
            state: root.join("state"),
            config: root.join("config"),
            tmux_tmpdir: root.join("tmux"),
            root,
            dir,
        };
        for d in [
            &sandbox.home,
            &sandbox.state,
            &sandbox.config,
            &sandbox.tmux_tmpdir,
        ] {
            fs::create_dir_all(d).unwrap();
        }
        // tmux wants its socket folder private; the temp folder is 0700 already.
        fs::write(sandbox.home.join(".tmux.conf"), SANDBOX_TMUX_CONF).unwrap();
        sandbox
    }

    /// The environment every process of this sandbox gets (after `env_clear`): the real
    /// PATH, and HOME, TMUX_TMPDIR, XDG_* pointing into the sandbox. Never TMUX,
    /// TMUX_PANE or THANOS_TMUX_STATE_DIR. Shell tests start from this too.
    pub fn env(&self) -> Vec<(OsString, OsString)> {
        let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
        vec![
            ("PATH".into(), path),
            ("HOME".into(), self.home.clone().into()),
            ("TMUX_TMPDIR".into(), self.tmux_tmpdir.clone().into()),
            ("XDG_CONFIG_HOME".into(), self.config.clone().into()),
            ("XDG_STATE_HOME".into(), self.state.clone().into()),
            ("TERM".into(), "xterm-256color".into()),
            ("LANG".into(), "C.UTF-8".into()),
        ]
    }

    /// The binary with the sandbox environment, run in HOME, stdin from /dev/null.
    pub fn cmd<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        self.cmd_in(&self.home, args)
    }

    /// The binary with the sandbox environment, run in `dir`.
    pub fn cmd_in<S: AsRef<OsStr>>(&self, dir: &Path, args: &[S]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.env_clear()
            .envs(self.env())
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null());
        cmd
    }

    /// Runs the binary in HOME and collects its output.
    pub fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Output {
        self.cmd(args).output().expect("run thanos-tmux")
    }

    /// Runs the binary in `dir`.
    pub fn run_in<S: AsRef<OsStr>>(&self, dir: &Path, args: &[S]) -> Output {
        self.cmd_in(dir, args).output().expect("run thanos-tmux")
    }

    /// Runs the binary in HOME, asserts exit 0, returns stdout.
    pub fn ok<S: AsRef<OsStr>>(&self, args: &[S]) -> String {
        let out = self.run(args);
        assert_ok(&out, args);
        stdout(&out)
    }

    /// Runs the binary in `dir`, asserts exit 0, returns stdout.
    pub fn ok_in<S: AsRef<OsStr>>(&self, dir: &Path, args: &[S]) -> String {
        let out = self.run_in(dir, args);
        assert_ok(&out, args);
        stdout(&out)
    }

    /// Runs the binary in HOME and returns its exit code.
    pub fn code<S: AsRef<OsStr>>(&self, args: &[S]) -> i32 {
        exit_code(&self.run(args))
    }

    /// Raw tmux on the sandbox's server (`-f /dev/null` when it starts the server),
    /// run in HOME.
    pub fn tmux_cmd<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.env_clear()
            .envs(self.env())
            .arg("-f")
            .arg("/dev/null")
            .args(args)
            .current_dir(&self.home)
            .stdin(Stdio::null());
        cmd
    }

    /// Raw tmux on the sandbox's server; the output, whatever the exit status.
    pub fn tmux<S: AsRef<OsStr>>(&self, args: &[S]) -> Output {
        self.tmux_cmd(args).output().expect("run tmux")
    }

    /// Raw tmux that must succeed; returns stdout.
    pub fn tmux_ok<S: AsRef<OsStr>>(&self, args: &[S]) -> String {
        let out = self.tmux(args);
        assert!(
            out.status.success(),
            "tmux {:?} failed:\n{}",
            args.iter().map(|a| a.as_ref()).collect::<Vec<_>>(),
            describe(&out)
        );
        stdout(&out)
    }

    /// The socket of the sandbox's (default) server, as tmux and the binary compute it.
    pub fn socket_path(&self) -> PathBuf {
        // SAFETY: getuid has no preconditions.
        let uid = unsafe { libc::getuid() };
        self.tmux_tmpdir.join(format!("tmux-{uid}")).join("default")
    }

    /// True when a server answers on the sandbox socket.
    pub fn server_running(&self) -> bool {
        std::os::unix::net::UnixStream::connect(self.socket_path()).is_ok()
    }

    /// The pid of the sandbox's server, if one runs.
    pub fn server_pid(&self) -> Option<u32> {
        if !self.server_running() {
            return None;
        }
        let out = self.tmux(&["display-message", "-p", "#{pid}"]);
        stdout(&out).trim().parse().ok()
    }

    /// Starts a plain server (not through the binary) holding one session.
    pub fn start_server(&self, session: &str) {
        self.tmux_ok(&["new-session", "-d", "-s", session]);
    }

    /// Crashes the sandbox's server (SIGKILL, as after a tmux bug or an OOM kill) and
    /// waits until its process is gone and its socket no longer answers.
    pub fn crash_server(&self) {
        if let Some(pid) = self.server_pid() {
            // SAFETY: kill(2) on the sandbox's own tmux server; a zombie ignores it.
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGKILL);
            }
            assert!(
                wait_for(|| pid_gone(pid), Duration::from_secs(10)),
                "tmux server {pid} survived SIGKILL"
            );
        }
        assert!(wait_for(|| !self.server_running(), Duration::from_secs(5)));
    }

    /// Ends the sandbox's server and waits (up to 5 s) until its process is gone.
    pub fn kill_server(&self) {
        let pid = self.server_pid();
        let _ = self.tmux(&["kill-server"]);
        if let Some(pid) = pid {
            assert!(
                wait_for(|| pid_gone(pid), Duration::from_secs(5)),
                "tmux server {pid} still running 5 s after kill-server"
            );
        }
        assert!(
            wait_for(|| !self.server_running(), Duration::from_secs(5)),
            "the sandbox socket still answers after kill-server"
        );
    }

    /// Live session names, in tmux's order; empty when no server runs.
    pub fn sessions(&self) -> Vec<String> {
        if !self.server_running() {
            return Vec::new();
        }
        let out = self.tmux(&["list-sessions", "-F", "#{session_name}"]);
        stdout(&out).lines().map(str::to_string).collect()
    }

    /// Live session names, sorted.
    pub fn sessions_sorted(&self) -> Vec<String> {
        let mut names = self.sessions();
        names.sort();
        names
    }

    /// True when tmux has a session of exactly this name.
    pub fn has_session(&self, name: &str) -> bool {
        self.sessions().iter().any(|s| s == name)
    }

    /// `#{session_path}` of the session of exactly this name, exactly (newlines and
    /// control characters kept, whatever the tmux version).
    pub fn session_path(&self, name: &str) -> Option<String> {
        self.session_format(name, "session_path")
    }

    /// One format variable (`session_id`, ...) of the session of exactly this name,
    /// found through `list-sessions` so that no target parsing is involved. Read as the
    /// binary reads tmux, so every tmux version gives the same exact text.
    pub fn session_format(&self, name: &str, variable: &str) -> Option<String> {
        if !self.server_running() {
            return None;
        }
        let out = self.tmux(&[
            "list-sessions",
            "-F",
            &format!("#{{q:session_name}}|#{{q:{variable}}}>"),
        ]);
        records(&stdout(&out))
            .into_iter()
            .find(|f| f[0] == name)
            .map(|f| f[1].clone())
    }

    /// A session user option (`@thanos-managed`, ...); None when unset. (show-options
    /// takes a pane target: `=NAME` alone is "no such session", `=NAME:` works.)
    pub fn session_option(&self, name: &str, option: &str) -> Option<String> {
        let out = self.tmux(&["show-options", "-t", &format!("={name}:"), "-v", option]);
        let value = stdout(&out).trim_end_matches('\n').to_string();
        (out.status.success() && !value.is_empty()).then_some(value)
    }

    /// The tmux clients attached to the sandbox server: (client tty, session name).
    pub fn clients(&self) -> Vec<(String, String)> {
        if !self.server_running() {
            return Vec::new();
        }
        let out = self.tmux(&["list-clients", "-F", "#{q:client_tty}|#{q:client_session}>"]);
        records(&stdout(&out))
            .into_iter()
            .map(|f| (f[0].clone(), f[1].clone()))
            .collect()
    }

    /// The state folder (`$XDG_STATE_HOME/thanos-tmux`).
    pub fn state_dir(&self) -> PathBuf {
        self.state.join("thanos-tmux")
    }

    /// The state file.
    pub fn state_file(&self) -> PathBuf {
        self.state_dir().join("sessions.json")
    }

    /// The state file, parsed; panics when it is missing or not JSON.
    pub fn state_json(&self) -> serde_json::Value {
        let text = fs::read_to_string(self.state_file())
            .unwrap_or_else(|e| panic!("read {}: {e}", self.state_file().display()));
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("state file is not JSON ({e}):\n{text}"))
    }

    /// The records of the sandbox server in the state file, by name (sorted); empty when
    /// there is no state file.
    pub fn recorded(&self) -> Vec<String> {
        self.records().keys().cloned().collect()
    }

    /// The names recorded for the sandbox server in one generation of the state file
    /// (`sessions.json.1` …), sorted.
    pub fn recorded_in_generation(&self, n: u32) -> Vec<String> {
        let path = self.state_dir().join(format!("sessions.json.{n}"));
        let text =
            fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let state: serde_json::Value = serde_json::from_str(&text).unwrap();
        self.records_of(&state).keys().cloned().collect()
    }

    /// The records of the sandbox server: name → record object.
    pub fn records(&self) -> serde_json::Map<String, serde_json::Value> {
        if !self.state_file().exists() {
            return serde_json::Map::new();
        }
        self.records_of(&self.state_json())
    }

    fn records_of(&self, state: &serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        let key = self.socket_path().to_string_lossy().into_owned();
        state["servers"][key.as_str()]["sessions"]
            .as_object()
            .cloned()
            .unwrap_or_default()
    }

    /// Gives the saved first window of record `name` a layout tmux refuses: a sound
    /// layout string (right checksum) of one cell, for a window saved with two panes.
    /// A restore of that record then fails partway, after its session was made.
    pub fn break_saved_layout(&self, name: &str) {
        let body = "80x24,0,0,1";
        let sum = body.bytes().fold(0u16, |c, b| {
            ((c >> 1) | ((c & 1) << 15)).wrapping_add(u16::from(b))
        });
        let mut state = self.state_json();
        let key = self.socket_path().to_string_lossy().into_owned();
        let window = &mut state["servers"][key.as_str()]["sessions"][name]["layout"]["windows"][0];
        assert_eq!(
            window["panes"].as_array().map(Vec::len),
            Some(2),
            "{window}"
        );
        window["layout"] = format!("{sum:04x},{body}").into();
        self.write_state(state.to_string().as_bytes());
    }

    /// Makes a folder under HOME (path relative to HOME) and returns it.
    pub fn mkdir(&self, rel: impl AsRef<Path>) -> PathBuf {
        let dir = self.home.join(rel);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Makes a git work tree (a folder with `.git/`) under HOME and returns its root.
    pub fn git_repo(&self, rel: impl AsRef<Path>) -> PathBuf {
        let dir = self.mkdir(rel);
        fs::create_dir_all(dir.join(".git")).unwrap();
        dir
    }

    /// Writes the user config (`$XDG_CONFIG_HOME/thanos-tmux/config.toml`).
    pub fn write_config(&self, toml: &str) -> PathBuf {
        let dir = self.config.join("thanos-tmux");
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.toml");
        fs::write(&path, toml).unwrap();
        path
    }

    /// Waits (up to 10 s) until no hook of this sandbox's server has run for 300 ms: no
    /// process holds this socket and a `hook` argument. A hook that saves late would
    /// otherwise overwrite what a test writes into the state folder.
    pub fn hooks_quiet(&self) {
        let socket = self.socket_path().to_string_lossy().into_owned();
        let hook_running = || {
            fs::read_dir("/proc").unwrap().flatten().any(|entry| {
                let cmdline = fs::read(entry.path().join("cmdline")).unwrap_or_default();
                let args: Vec<String> = cmdline
                    .split(|&b| b == 0)
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect();
                args.iter().any(|a| a.contains(&socket))
                    && args.iter().any(|a| a == "hook" || a.contains(" hook "))
            })
        };
        let mut quiet_since = Instant::now();
        let settled = wait_for(
            || {
                if hook_running() {
                    quiet_since = Instant::now();
                }
                quiet_since.elapsed() >= Duration::from_millis(300)
            },
            Duration::from_secs(10),
        );
        assert!(settled, "hooks of {socket} still running after 10 s");
    }

    /// Creates the state folder as the binary would (0700) and, once no hook can
    /// overwrite it, writes `bytes` as the state file.
    pub fn write_state(&self, bytes: &[u8]) -> PathBuf {
        self.hooks_quiet();
        fs::create_dir_all(self.state_dir()).unwrap();
        fs::set_permissions(self.state_dir(), fs::Permissions::from_mode(0o700)).unwrap();
        fs::write(self.state_file(), bytes).unwrap();
        self.state_file()
    }

    /// Every file or folder in the sandbox whose name starts with `prefix`.
    pub fn find(&self, prefix: &str) -> Vec<PathBuf> {
        fn walk(dir: &Path, prefix: &str, found: &mut Vec<PathBuf>) {
            let Ok(entries) = fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if entry.file_name().to_string_lossy().starts_with(prefix) {
                    found.push(path.clone());
                }
                if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                    walk(&path, prefix, found);
                }
            }
        }
        let mut found = Vec::new();
        walk(&self.root, prefix, &mut found);
        found
    }

    /// The sandbox folder itself.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn assert_ok<S: AsRef<OsStr>>(out: &Output, args: &[S]) {
    assert!(
        out.status.success(),
        "thanos-tmux {:?} failed:\n{}",
        args.iter().map(|a| a.as_ref()).collect::<Vec<_>>(),
        describe(out)
    );
}

/// Ends the server behind `socket` (through `tmux -S`) and waits for it to be gone.
fn end_server(socket: &Path, env: &[(OsString, OsString)]) {
    if std::os::unix::net::UnixStream::connect(socket).is_err() {
        return;
    }
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .env_clear()
            .envs(env.iter().cloned())
            .arg("-S")
            .arg(socket)
            .args(args)
            .stdin(Stdio::null())
            .output()
    };
    let pid: Option<u32> = tmux(&["display-message", "-p", "#{pid}"])
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok());
    let _ = tmux(&["kill-server"]);
    if let Some(pid) = pid {
        wait_for(|| pid_gone(pid), Duration::from_secs(3));
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // Every server of this sandbox: the default one and any `-L NAME` a test used.
        let sockets = self.socket_path().parent().map(fs::read_dir);
        if let Some(Ok(entries)) = sockets {
            for entry in entries.flatten() {
                end_server(&entry.path(), &self.env());
            }
        }
        // A state folder a test made unsafe (0777) or read-only must not stop removal.
        let _ = fs::set_permissions(self.state_dir(), fs::Permissions::from_mode(0o700));
    }
}

static TERMINALS: AtomicUsize = AtomicUsize::new(0);

/// A real terminal for the sandbox: a pane of an OUTER tmux server (its own
/// TMUX_TMPDIR inside the sandbox) running a command with the sandbox environment and
/// TMUX unset, so a tmux client started in it is a real client of the sandbox's
/// (inner) server. Type with `type_line`, read with `screen` / `wait_screen`.
pub struct Terminal {
    tmpdir: PathBuf,
    env: Vec<(OsString, OsString)>,
    target: String,
}

/// tmux 3.2 gives a detached session its -x/-y size only under `window-size manual`,
/// which later versions do not need (and tmux 3.3a has crashed on): only there is it set.
fn sizes_need_manual() -> bool {
    static NEED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *NEED.get_or_init(|| {
        let out = Command::new("tmux")
            .arg("-V")
            .output()
            .expect("run tmux -V");
        stdout(&out).starts_with("tmux 3.2")
    })
}

impl Terminal {
    /// A terminal running a plain `/bin/sh` in HOME (prompt `$ `).
    pub fn new(sandbox: &Sandbox) -> Terminal {
        Terminal::spawn(sandbox, &sandbox.home, "/bin/sh", &[("PS1", "$ ")])
    }

    /// A terminal running `command` (a shell command line, run by `/bin/sh -c`) in
    /// `dir`, with the sandbox environment plus `extra_env`. The pane stays on screen
    /// after the command exits (`remain-on-exit`), so its last words can be read.
    pub fn spawn(
        sandbox: &Sandbox,
        dir: &Path,
        command: &str,
        extra_env: &[(&str, &str)],
    ) -> Terminal {
        let n = TERMINALS.fetch_add(1, Ordering::Relaxed);
        let tmpdir = sandbox.root.join(format!("outer{n}"));
        fs::create_dir_all(&tmpdir).unwrap();
        fs::set_permissions(&tmpdir, fs::Permissions::from_mode(0o700)).unwrap();
        // The launcher drops what the outer tmux put in the pane's environment and
        // points tmux back at the sandbox's own server.
        let mut script = String::from("#!/bin/sh\nunset TMUX TMUX_PANE\n");
        script.push_str(&format!(
            "export TMUX_TMPDIR={}\n",
            sh_quote(&sandbox.tmux_tmpdir.to_string_lossy())
        ));
        for (key, value) in extra_env {
            script.push_str(&format!("export {key}={}\n", sh_quote(value)));
        }
        script.push_str(&format!(
            "cd {} || exit 1\n",
            sh_quote(&dir.to_string_lossy())
        ));
        script.push_str(&format!("exec /bin/sh -c {}\n", sh_quote(command)));
        let launcher = tmpdir.join("launch.sh");
        fs::write(&launcher, script).unwrap();
        fs::set_permissions(&launcher, fs::Permissions::from_mode(0o755)).unwrap();

        let mut env = sandbox.env();
        for (k, v) in env.iter_mut() {
            if k == "TMUX_TMPDIR" {
                *v = tmpdir.clone().into();
            }
        }
        let term = Terminal {
            tmpdir,
            env,
            target: "=term:".into(),
        };
        let launcher = launcher.to_string_lossy();
        let mut args = vec![
            "new-session",
            "-d",
            "-s",
            "term",
            "-x",
            "160",
            "-y",
            "48",
            &launcher,
        ];
        if sizes_need_manual() {
            args.extend([
                ";",
                "set-option",
                "-g",
                "window-size",
                "manual",
                ";",
                "resize-window",
                "-t",
                "=term:",
                "-x",
                "160",
                "-y",
                "48",
            ]);
        }
        args.extend([
            ";",
            "set-option",
            "-g",
            "status",
            "off",
            ";",
            "set-option",
            "-g",
            "remain-on-exit",
            "on",
        ]);
        let out = term
            .outer_cmd(&args)
            .output()
            .expect("start the outer tmux");
        assert!(out.status.success(), "outer tmux:\n{}", describe(&out));
        term
    }

    fn socket(&self) -> PathBuf {
        // SAFETY: getuid has no preconditions.
        let uid = unsafe { libc::getuid() };
        self.tmpdir.join(format!("tmux-{uid}")).join("default")
    }

    /// Raw tmux on the OUTER server.
    pub fn outer_cmd<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.env_clear()
            .envs(self.env.iter().cloned())
            .arg("-f")
            .arg("/dev/null")
            .args(args)
            .stdin(Stdio::null());
        cmd
    }

    /// Raw tmux on the OUTER server, which must succeed; returns stdout.
    pub fn outer<S: AsRef<OsStr>>(&self, args: &[S]) -> String {
        let out = self.outer_cmd(args).output().expect("run tmux");
        assert!(out.status.success(), "outer tmux:\n{}", describe(&out));
        stdout(&out)
    }

    /// Types `text` literally, then Enter.
    pub fn type_line(&self, text: &str) {
        self.type_text(text);
        self.keys(&["Enter"]);
    }

    /// Types `text` literally, without Enter.
    pub fn type_text(&self, text: &str) {
        self.outer(&["send-keys", "-t", &self.target, "-l", "--", text]);
    }

    /// Sends tmux key names (`Enter`, `C-c`, `Tab`, `C-b`, ...).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.target];
        args.extend_from_slice(keys);
        self.outer(&args);
    }

    /// The visible screen, lines joined with `\n` (trailing blanks trimmed by tmux).
    pub fn screen(&self) -> String {
        self.outer(&["capture-pane", "-p", "-t", &self.target])
    }

    /// Waits (up to `timeout`) until the screen satisfies `pred`; returns that screen.
    /// Panics with the last screen on timeout.
    pub fn wait_screen(&self, mut pred: impl FnMut(&str) -> bool, timeout: Duration) -> String {
        let mut last = String::new();
        let ok = wait_for(
            || {
                last = self.screen();
                pred(&last)
            },
            timeout,
        );
        assert!(ok, "the screen never matched; last screen:\n{last}");
        last
    }

    /// True when the pane's command has exited (the pane is kept on screen).
    pub fn exited(&self) -> bool {
        let out = self
            .outer_cmd(&["display-message", "-p", "-t", &self.target, "#{pane_dead}"])
            .output()
            .expect("run tmux");
        stdout(&out).trim() == "1"
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        end_server(&self.socket(), &self.env);
    }
}

/// Single-quotes `text` for POSIX sh.
pub fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
