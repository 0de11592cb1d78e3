//! Helpers shared by the shell tests (`shell.rs`, `lint.rs`): which shells
//! there are, the one documented rc line per shell, and a builder that starts a real
//! bash, zsh or fish on a `Terminal` with a sandbox rc and `thanos-tmux` first on PATH.

use super::support::{bin, pid_gone, sh_quote, wait_for, Sandbox, Terminal};
use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a test waits for anything a person would see at once.
pub const T: Duration = Duration::from_secs(10);

/// A shell thanos-tmux integrates with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sh {
    Bash,
    Zsh,
    Fish,
}

/// Every shell, for tests that run in each.
pub const SHELLS: [Sh; 3] = [Sh::Bash, Sh::Zsh, Sh::Fish];

impl Sh {
    /// `bash`, `zsh`, `fish`: the program and the `init` argument.
    pub fn name(self) -> &'static str {
        match self {
            Sh::Bash => "bash",
            Sh::Zsh => "zsh",
            Sh::Fish => "fish",
        }
    }

    /// The shell's absolute path, looked up on the real PATH (a test may give the shell
    /// a PATH without it). A missing shell is a failure that says how to install it.
    pub fn program(self) -> PathBuf {
        which(self.name()).unwrap_or_else(|| {
            panic!(
                "{0} is not installed; the shell tests need it (apt-get install {0} / brew install {0})",
                self.name()
            )
        })
    }

    /// The README's setup row for this shell: the rc file (as written there, `~/…`) and
    /// the one line to put in it, so that the tests run what users are told to write.
    pub fn readme_setup(self) -> (String, String) {
        let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .expect("read README.md");
        let row = format!("| {} | `", self.name());
        readme
            .lines()
            .find(|l| l.starts_with(&row))
            .and_then(|l| l.trim_end().strip_prefix(&row)?.strip_suffix("` |"))
            .and_then(|cells| cells.split_once("` | `"))
            .map(|(file, code)| (file.to_string(), code.replace("\\|", "|")))
            .unwrap_or_else(|| {
                panic!(
                    "README.md has no setup row `| {} | `FILE` | `LINE` |` for the shell tests to use",
                    self.name()
                )
            })
    }

    /// The one documented rc line (`readme_setup`), with extra `init` flags after
    /// `init SHELL`.
    pub fn init_line(self, flags: &str) -> String {
        let (_, line) = self.readme_setup();
        let init = format!("init {}", self.name());
        assert!(
            line.contains(&init),
            "README's {} line: {line}",
            self.name()
        );
        if flags.is_empty() {
            line
        } else {
            line.replacen(&init, &format!("{init} {flags}"), 1)
        }
    }

    /// The prompt of a shell started with `TT_TAG=tag` (empty for a top-level one), as
    /// `capture-pane` shows it (trailing blank trimmed).
    pub fn prompt(self, tag: &str) -> String {
        format!("TT{tag}-{}>", self.name())
    }

    /// A command line to type whose output (`TAG-42`) cannot be mistaken for its echo.
    pub fn answer(self, tag: &str) -> (String, String) {
        let typed = match self {
            Sh::Fish => format!("echo {tag}-(math 6 \\* 7)"),
            _ => format!("echo {tag}-$((6*7))"),
        };
        (typed, format!("{tag}-42"))
    }

    /// Like `answer`, but the output appears only when the snippet's functions are
    /// defined: proves at once that the rc loaded the snippet and that the shell works.
    pub fn loaded_answer(self, tag: &str) -> (String, String) {
        let typed = match self {
            Sh::Bash => format!("declare -F __thanos_tmux_start >/dev/null && echo {tag}-$((6*7))"),
            Sh::Zsh => format!("(( $+functions[__thanos_tmux_start] )) && echo {tag}-$((6*7))"),
            Sh::Fish => format!("functions -q __thanos_tmux_start; and echo {tag}-(math 6 \\* 7)"),
        };
        (typed, format!("{tag}-42"))
    }

    /// The command line that starts this shell interactively with the sandbox rc
    /// (`login`: as a login shell).
    fn command_line(self, sb: &Sandbox, login: bool) -> String {
        let program = sh_quote(&self.program().to_string_lossy());
        match (self, login) {
            (Sh::Bash, false) => format!(
                "exec {program} --rcfile {} -i",
                sh_quote(&bashrc(sb).to_string_lossy())
            ),
            // A login bash reads ~/.bash_profile, which the builder writes too.
            (Sh::Bash, true) => format!("exec {program} --login -i"),
            // ZDOTDIR (set by the builder) holds .zshrc; the system rc files stay out
            // so that no distribution's compinit changes what is tested.
            (Sh::Zsh, false) => format!("exec {program} --no-globalrcs -i"),
            (Sh::Zsh, true) => format!("exec {program} --no-globalrcs --login -i"),
            // XDG_CONFIG_HOME (the sandbox's) holds fish/config.fish.
            (Sh::Fish, false) => format!("exec {program} -i"),
            (Sh::Fish, true) => format!("exec {program} --login -i"),
        }
    }

    /// The command a person types to start a subshell of this shell with the same rc.
    pub fn subshell(self, sb: &Sandbox, tag: &str) -> String {
        let program = self.program().to_string_lossy().into_owned();
        match self {
            Sh::Bash => format!(
                "TT_TAG={tag} {program} --rcfile {} -i",
                bashrc(sb).to_string_lossy()
            ),
            Sh::Zsh => format!("TT_TAG={tag} {program} --no-globalrcs -i"),
            Sh::Fish => format!("TT_TAG={tag} {program} -i"),
        }
    }
}

/// The first `name` on the real PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    which_in(&std::env::var("PATH").ok()?, name)
}

/// The real PATH of the test process.
pub fn real_path() -> String {
    std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into())
}

/// The PATH of a machine where thanos-tmux is not installed, whatever this machine has
/// installed (`./scripts/install` puts it in ~/.cargo/bin, a package in /usr/bin):
/// `given` without every entry that holds something named `thanos-tmux` (and without
/// relative or empty entries, which depend on the folder a shell is in), then a folder
/// of the sandbox holding the everyday tools and tmux found on `given`, so that a
/// system folder dropped for its thanos-tmux does not take the shell's tools with it.
pub fn path_without_thanos_tmux(sb: &Sandbox, given: &str) -> String {
    let tools = sb.root.join("tools-without-thanos-tmux");
    fs::create_dir_all(&tools).unwrap();
    link_tools(&tools, given, TOOLS.iter().chain(&["tmux"]));
    std::env::split_paths(given)
        .filter(|dir| dir.is_absolute() && fs::symlink_metadata(dir.join("thanos-tmux")).is_err())
        .chain([tools])
        .map(|dir| dir.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(":")
}

/// `<sandbox>/bin`, holding `thanos-tmux` (a symlink to the binary under test).
pub fn sandbox_bin(sb: &Sandbox) -> PathBuf {
    let dir = sb.root.join("bin");
    let link = dir.join("thanos-tmux");
    if !link.exists() {
        fs::create_dir_all(&dir).unwrap();
        symlink(bin(), &link).unwrap();
    }
    dir
}

/// PATH with the sandbox bin first, then `middle` (if any), then the real PATH.
pub fn path_with(sb: &Sandbox, middle: Option<&Path>) -> String {
    let mut parts = vec![sandbox_bin(sb).to_string_lossy().into_owned()];
    if let Some(middle) = middle {
        parts.push(middle.to_string_lossy().into_owned());
    }
    parts.push(real_path());
    parts.join(":")
}

/// The everyday programs a shell and its startup use.
const TOOLS: &[&str] = &[
    "env", "cat", "rm", "mkdir", "ls", "sed", "grep", "uname", "id", "tput", "stty", "dirname",
    "basename", "readlink", "sleep", "date", "nohup", "sh", "setsid",
];

/// The first `name` on `path`.
fn which_in(path: &str, name: &str) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Symlinks in `dir` to each of `tools` found on `path`.
fn link_tools<'t>(dir: &Path, path: &str, tools: impl IntoIterator<Item = &'t &'t str>) {
    for tool in tools {
        if let Some(found) = which_in(path, tool) {
            let link = dir.join(tool);
            if fs::symlink_metadata(&link).is_err() {
                symlink(found, &link).unwrap();
            }
        }
    }
}

/// A folder holding the everyday programs a shell and its startup use (symlinks
/// found on the real PATH), and no tmux: a system where tmux is not installed.
pub fn path_without_tmux(sb: &Sandbox) -> PathBuf {
    let dir = sb.root.join("no-tmux");
    fs::create_dir_all(&dir).unwrap();
    link_tools(&dir, &real_path(), TOOLS);
    for sh in SHELLS {
        let link = dir.join(sh.name());
        if fs::symlink_metadata(&link).is_err() {
            symlink(sh.program(), &link).unwrap();
        }
    }
    assert!(!dir.join("tmux").exists());
    dir
}

/// Writes an executable script.
pub fn write_script(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

fn bashrc(sb: &Sandbox) -> PathBuf {
    sb.root.join("rc").join("bashrc")
}

fn zdotdir(sb: &Sandbox) -> PathBuf {
    sb.root.join("rc").join("zdot")
}

/// Starts a shell on a terminal, rc and environment as the test says.
pub struct Shell<'a> {
    sb: &'a Sandbox,
    sh: Sh,
    dir: PathBuf,
    before: Vec<String>,
    after: Vec<String>,
    flags: String,
    env: Vec<(String, String)>,
    path: Option<String>,
    login: bool,
}

impl<'a> Shell<'a> {
    /// `sh` in the sandbox HOME, rc = prompt + the documented init line.
    pub fn new(sb: &'a Sandbox, sh: Sh) -> Shell<'a> {
        Shell {
            sb,
            sh,
            dir: sb.home.clone(),
            before: Vec::new(),
            after: Vec::new(),
            flags: String::new(),
            env: Vec::new(),
            path: None,
            login: false,
        }
    }

    /// Starts in `dir`.
    pub fn dir(mut self, dir: &Path) -> Self {
        self.dir = dir.to_path_buf();
        self
    }

    /// An rc line before the init line.
    pub fn before(mut self, line: &str) -> Self {
        self.before.push(line.to_string());
        self
    }

    /// An rc line after the init line.
    pub fn after(mut self, line: &str) -> Self {
        self.after.push(line.to_string());
        self
    }

    /// Extra flags on the init line (`--no-attach`).
    pub fn flags(mut self, flags: &str) -> Self {
        self.flags = flags.to_string();
        self
    }

    /// An environment variable of the terminal.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// The terminal's whole PATH (default: sandbox bin, then the real PATH).
    pub fn path(mut self, path: &str) -> Self {
        self.path = Some(path.to_string());
        self
    }

    /// A login shell.
    pub fn login(mut self) -> Self {
        self.login = true;
        self
    }

    fn path_value(&self) -> String {
        self.path
            .clone()
            .unwrap_or_else(|| path_with(self.sb, None))
    }

    /// The rc text this shell reads.
    fn rc(&self) -> String {
        let mut lines: Vec<String> = match self.sh {
            Sh::Bash => vec!["PS1=\"TT${TT_TAG-}-bash> \"".into()],
            Sh::Zsh => vec!["PS1=\"TT${TT_TAG-}-zsh> \"".into()],
            Sh::Fish => vec![
                "set -g fish_greeting ''".into(),
                // Grey autosuggestions read like typed text on a captured screen.
                "set -g fish_autosuggestion_enabled 0".into(),
                "function fish_prompt; printf '%s' \"TT$TT_TAG-fish> \"; end".into(),
            ],
        };
        if self.login {
            // A login shell's system profile may reset PATH (Debian's /etc/profile
            // does): the user's rc sets it again before the init line, as users do.
            let path = self.path_value();
            lines.push(match self.sh {
                Sh::Fish => format!(
                    "set -gx PATH {}",
                    path.split(':').map(sh_quote).collect::<Vec<_>>().join(" ")
                ),
                _ => format!("export PATH={}", sh_quote(&path)),
            });
        }
        lines.extend(self.before.iter().cloned());
        lines.push(self.sh.init_line(&self.flags));
        lines.extend(self.after.iter().cloned());
        lines.join("\n") + "\n"
    }

    /// Writes the rc where the shell reads it (same files for every terminal of the
    /// sandbox, so a subshell reads the same rc).
    fn write_rc(&self) -> Vec<(String, String)> {
        let rc = self.rc();
        let mut env = Vec::new();
        match self.sh {
            Sh::Bash => {
                let path = bashrc(self.sb);
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(&path, &rc).unwrap();
                fs::write(self.sb.home.join(".bash_profile"), &rc).unwrap();
            }
            Sh::Zsh => {
                let dir = zdotdir(self.sb);
                fs::create_dir_all(&dir).unwrap();
                fs::write(dir.join(".zshrc"), &rc).unwrap();
                env.push(("ZDOTDIR".into(), dir.to_string_lossy().into_owned()));
            }
            Sh::Fish => {
                // Without this folder an interactive fish starts a minutes-long python
                // job in the background (completions from man pages) that outlives the
                // test and eats the CPU of the others.
                let generated = self.sb.home.join(".local/share/fish/generated_completions");
                fs::create_dir_all(generated).unwrap();
                let dir = self.sb.config.join("fish");
                fs::create_dir_all(&dir).unwrap();
                fs::write(dir.join("config.fish"), &rc).unwrap();
            }
        }
        env
    }

    /// Starts the terminal (does not wait for anything).
    pub fn spawn(self) -> Terminal {
        let mut env = self.write_rc();
        env.push(("PATH".into(), self.path_value()));
        env.extend(self.env.iter().cloned());
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        Terminal::spawn(
            self.sb,
            &self.dir,
            &self.sh.command_line(self.sb, self.login),
            &env,
        )
    }
}

/// Non-empty screen lines.
pub fn lines(screen: &str) -> Vec<&str> {
    screen.lines().filter(|l| !l.trim().is_empty()).collect()
}

/// The last non-empty line of the screen.
pub fn last_line(screen: &str) -> &str {
    lines(screen).last().copied().unwrap_or("").trim_end()
}

/// Lines that are neither blank nor the shell's prompt (with or without a command
/// typed after it): what the shell or thanos-tmux printed by itself.
pub fn noise<'s>(screen: &'s str, prompt: &str) -> Vec<&'s str> {
    lines(screen)
        .into_iter()
        .filter(|l| !l.starts_with(prompt))
        .collect()
}

/// Waits until the shell shows its prompt with nothing typed after it (the last line
/// is the prompt); returns the screen.
pub fn wait_prompt(term: &Terminal, prompt: &str) -> String {
    term.wait_screen(|s| last_line(s) == prompt, T)
}

/// Types a command whose output proves the shell works, and waits for that output.
pub fn assert_working(term: &Terminal, sh: Sh, tag: &str, prompt: &str) {
    type_and_expect(term, sh.answer(tag), prompt);
}

/// Like `assert_working`, and the snippet's functions are defined in this shell.
pub fn assert_loaded_and_working(term: &Terminal, sh: Sh, tag: &str, prompt: &str) {
    type_and_expect(term, sh.loaded_answer(tag), prompt);
}

fn type_and_expect(term: &Terminal, (typed, expected): (String, String), prompt: &str) {
    term.type_line(&typed);
    term.wait_screen(|s| s.lines().any(|l| l.trim_end() == expected), T);
    wait_prompt(term, prompt);
}

/// The line being edited: the last line that starts with the prompt, after it.
pub fn edit_line(screen: &str, prompt: &str) -> Option<String> {
    screen
        .lines()
        .rev()
        .find(|l| l.starts_with(prompt))
        .map(|l| l[prompt.len()..].trim().to_string())
}

/// Clears the line being edited and the screen, and waits for a bare prompt.
pub fn clear(term: &Terminal, prompt: &str) {
    term.keys(&["C-u"]);
    term.keys(&["C-l"]);
    term.wait_screen(|s| lines(s) == [prompt], T);
}

/// True when the sandbox server has exactly one client, attached to `session`.
pub fn one_client_on(sb: &Sandbox, session: &str) -> bool {
    let clients = sb.clients();
    clients.len() == 1 && clients[0].1 == session
}

/// Waits until one client is attached to `session`; panics with the screen otherwise.
pub fn wait_attached(sb: &Sandbox, term: &Terminal, session: &str) {
    let ok = wait_for(|| one_client_on(sb, session), T);
    assert!(
        ok,
        "no client attached to {session}: clients {:?}, sessions {:?}\nscreen:\n{}",
        sb.clients(),
        sb.sessions(),
        term.screen()
    );
}

/// Declared right after its `Sandbox` (so dropped after the terminals and before the
/// sandbox): ends the sandbox's tmux server and waits for every process that still
/// runs with the sandbox HOME (a logout step started by a shell that the terminal's
/// end hung up, tmux hooks fired by the server's end) to finish, so that none of them
/// writes into the sandbox folder while it is being removed.
pub struct Quiet<'a>(pub &'a Sandbox);

impl Drop for Quiet<'_> {
    fn drop(&mut self) {
        let sb = self.0;
        if let Some(pid) = sb.server_pid() {
            let _ = sb.tmux(&["kill-server"]);
            wait_for(|| pid_gone(pid), Duration::from_secs(5));
        }
        wait_for(|| sandbox_processes(sb).is_empty(), Duration::from_secs(5));
    }
}

/// Live processes whose environment has the sandbox HOME.
pub fn sandbox_processes(sb: &Sandbox) -> Vec<u32> {
    let needle = format!("HOME={}\0", sb.home.display()).into_bytes();
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| {
            fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.windows(needle.len()).any(|w| w == needle.as_slice()))
                && !pid_gone(pid)
        })
        .collect()
}
