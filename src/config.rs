//! The user config (TOML): where it is, its values and defaults, the safety check
//! before it is read, and `config show`. `parse` validates the file as it reads it.
//! Choices made for values:
//! - `root` and `daemons[].dir` expand `~` and `~/...` with `$HOME` and must then be
//!   absolute (`~user` is not expanded); whether they exist is for `doctor`, not here.
//! - `naming.rules[].path` is kept as written (a relative glob matches at any depth, as in
//!   `naming`); `~user` is refused there too. Templates have no escape for a literal brace.
//! - `daemons[].env` values must be strings (`PORT = "8080"`) and keep the file's order.
//! - No string may contain a NUL character. Indexes in messages count from 0.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::env::Environment;
use anyhow::{anyhow, bail, Context, Result};

mod parse;
use parse::parse_with_home;

/// The user configuration in force: the file's values over the defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Start directory of the built-in sessions (`~` expanded, absolute); `None`: unset.
    pub root: Option<PathBuf>,
    /// Prefix of the built-in session names (default `thanos-`).
    pub prefix: String,
    /// New terminals attach automatically (default true).
    pub auto_attach: bool,
    /// Detaching closes the terminal instead of returning to the shell (default false).
    pub auto_quit: bool,
    /// Recorded sessions are recreated after a crash or reboot (default true).
    pub auto_restore: bool,
    /// `TERM_PROGRAM` values that never auto-attach.
    pub skip_terminals: Vec<String>,
    /// Auto-attach over ssh too (default true).
    pub ssh_auto_attach: bool,
    /// What a terminal gets when its session already has one (default `Group`).
    pub second_terminal: SecondTerminal,
    /// Sessions killed at logout when no client is attached (default none).
    pub kill_on_logout: Vec<String>,
    /// Foreground programs re-run on restore.
    pub restore_programs: Vec<String>,
    /// `[[naming.rules]]`, in file order.
    pub naming_rules: Vec<NamingRule>,
    /// `[[daemons]]`, in file order.
    pub daemons: Vec<Daemon>,
    /// `pick.roots`: folders the picker searches for git repositories (`~` expanded,
    /// absolute); empty: the root.
    pub pick_roots: Vec<PathBuf>,
    /// `pick.depth`: how many levels below a root a repository may be (default 3).
    pub pick_depth: usize,
}

/// A config as `Config::load` read it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConfigFile {
    /// The values in force: the file's over the defaults.
    pub config: Config,
    /// The file they came from; `None` when there is none (the defaults).
    pub path: Option<PathBuf>,
    /// One line for each key the file should not have, naming the file and line.
    pub warnings: Vec<String>,
}

/// One `[[naming.rules]]` entry: a directory glob and a session-name template.
#[derive(Clone, Debug, PartialEq)]
pub struct NamingRule {
    /// Glob as written: absolute, `~`, `~/...`, or relative (matches at any depth).
    pub path: String,
    /// Template using only `{dir}`, `{parent}`, `{repo}` and `{host}`.
    pub name: String,
}

/// One `[[daemons]]` entry, run with `sh -c` in a window of the monitor session.
#[derive(Clone, Debug, PartialEq)]
pub struct Daemon {
    /// Unique name, also the window name.
    pub name: String,
    /// Shell command.
    pub command: String,
    /// Working directory (`~` expanded, absolute).
    pub dir: Option<PathBuf>,
    /// Variables added to the environment, in file order.
    pub env: Vec<(String, String)>,
    /// What happens when the command exits.
    pub restart: RestartPolicy,
}

/// What a terminal gets when the session picked for it already has a client.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SecondTerminal {
    /// `group` (the default): a session of its own in the same group, with a window of
    /// its own; both see the same windows, each types into its own. It ends when its
    /// terminal detaches or closes, and is never recorded.
    #[default]
    Group,
    /// `share`: the same session, as plain tmux; both show the same window.
    Share,
}

impl SecondTerminal {
    /// The config spelling: `group` or `share`.
    pub fn as_str(self) -> &'static str {
        match self {
            SecondTerminal::Group => "group",
            SecondTerminal::Share => "share",
        }
    }
}

/// When a dead daemon is started again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestartPolicy {
    /// `never`
    Never,
    /// `on-failure` (the default): after a non-zero exit.
    OnFailure,
    /// `always`
    Always,
}

const POLICIES: [(&str, RestartPolicy); 3] = [
    ("never", RestartPolicy::Never),
    ("on-failure", RestartPolicy::OnFailure),
    ("always", RestartPolicy::Always),
];

impl RestartPolicy {
    /// The config spelling: `never`, `on-failure` or `always`.
    pub fn as_str(self) -> &'static str {
        POLICIES.iter().find(|p| p.1 == self).map_or("", |p| p.0)
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            root: None,
            prefix: "thanos-".into(),
            auto_attach: true,
            auto_quit: false,
            auto_restore: true,
            skip_terminals: ["vscode", "JetBrains-JediTerm", "zed"]
                .map(String::from)
                .into(),
            ssh_auto_attach: true,
            second_terminal: SecondTerminal::Group,
            kill_on_logout: Vec::new(),
            restore_programs: ["vim", "nvim", "less", "man", "htop", "top", "tail"]
                .map(String::from)
                .into(),
            naming_rules: Vec::new(),
            daemons: Vec::new(),
            pick_roots: Vec::new(),
            pick_depth: 3,
        }
    }
}

/// Expands a leading `~` or `~/` with `home`; other text is returned as it is.
/// `None` when the text needs a home and there is none.
pub(crate) fn expand_tilde(text: &str, home: Option<&Path>) -> Option<PathBuf> {
    match text.strip_prefix('~') {
        Some("") => home.map(Path::to_path_buf),
        Some(rest) if rest.starts_with('/') => home.map(|h| h.join(&rest[1..])),
        _ => Some(PathBuf::from(text)),
    }
}

impl Config {
    /// Where the config file is: `$THANOS_TMUX_CONFIG`, else
    /// `$XDG_CONFIG_HOME/thanos-tmux/config.toml`, else `~/.config/thanos-tmux/config.toml`.
    /// Empty variables count as unset; a relative `XDG_CONFIG_HOME` is ignored (XDG spec).
    pub fn path(env: &Environment) -> Option<PathBuf> {
        if let Some(path) = env.path("THANOS_TMUX_CONFIG") {
            return Some(path);
        }
        let base = env.path("XDG_CONFIG_HOME").filter(|p| p.is_absolute());
        let base = base.or_else(|| Some(env.home()?.join(".config")))?;
        Some(base.join("thanos-tmux/config.toml"))
    }

    /// Loads the file at [`Config::path`]; a missing file gives the defaults. An error
    /// names the file, the line and the key; a key the file should not have is a
    /// warning, and the rest applies.
    pub fn load(env: &Environment) -> Result<ConfigFile> {
        let Some(path) = Config::path(env) else {
            return Ok(ConfigFile::default());
        };
        match read_checked(&path)? {
            Some(text) => {
                let (config, warnings) = Config::parse(&text, &path, env)?;
                Ok(ConfigFile {
                    config,
                    path: Some(path),
                    warnings,
                })
            }
            None => Ok(ConfigFile::default()),
        }
    }

    /// Loads a given file, which must exist. Like ssh, refuses a file that other users can
    /// write or that belongs to another user than the caller or root.
    pub fn load_from(path: &Path, env: &Environment) -> Result<Config> {
        let text = read_checked(path)?;
        let text = text.ok_or_else(|| anyhow!("config file {} does not exist", path.display()))?;
        Ok(Config::parse(&text, path, env)?.0)
    }

    /// Parses and validates config text; `origin` only names the file in messages, and
    /// `~` in folders is `env`'s `$HOME`. Returns the config and a warning for each key
    /// it does not know (left out; the rest applies).
    pub fn parse(text: &str, origin: &Path, env: &Environment) -> Result<(Config, Vec<String>)> {
        parse_with_home(text, origin, env.home())
    }

    /// Renders the config in force, defaults included, as TOML that parses back to an
    /// equal `Config` (for `thanos-tmux config show`).
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let mut put = |key: &str, value: String| out.push_str(&format!("{key} = {value}\n"));
        match &self.root {
            Some(root) => put("root", quote(&root.to_string_lossy())),
            None => put("# root", "unset: $THANOS_ROOT, else $HOME".into()),
        }
        put("prefix", quote(&self.prefix));
        put("auto_attach", self.auto_attach.to_string());
        put("auto_quit", self.auto_quit.to_string());
        put("auto_restore", self.auto_restore.to_string());
        put("skip_terminals", quote_list(&self.skip_terminals));
        put("ssh_auto_attach", self.ssh_auto_attach.to_string());
        put("second_terminal", quote(self.second_terminal.as_str()));
        put("kill_on_logout", quote_list(&self.kill_on_logout));
        put("restore_programs", quote_list(&self.restore_programs));
        let roots: Vec<String> = self
            .pick_roots
            .iter()
            .map(|r| r.to_string_lossy().into())
            .collect();
        out.push_str("\n[pick]\n# roots = [] searches the root\n");
        out.push_str(&format!(
            "roots = {}\ndepth = {}\n",
            quote_list(&roots),
            self.pick_depth
        ));
        for rule in &self.naming_rules {
            let (path, name) = (quote(&rule.path), quote(&rule.name));
            out.push_str(&format!(
                "\n[[naming.rules]]\npath = {path}\nname = {name}\n"
            ));
        }
        for d in &self.daemons {
            out.push_str(&format!("\n[[daemons]]\nname = {}\n", quote(&d.name)));
            out.push_str(&format!("command = {}\n", quote(&d.command)));
            if let Some(dir) = &d.dir {
                out.push_str(&format!("dir = {}\n", quote(&dir.to_string_lossy())));
            }
            if !d.env.is_empty() {
                let pair = |(k, v): &(String, String)| format!("{k} = {}", quote(v));
                let pairs: Vec<String> = d.env.iter().map(pair).collect();
                out.push_str(&format!("env = {{ {} }}\n", pairs.join(", ")));
            }
            out.push_str(&format!("restart = \"{}\"\n", d.restart.as_str()));
        }
        out
    }
}

/// Reads a config file after the ssh-style safety check; `None` when it does not exist.
fn read_checked(path: &Path) -> Result<Option<String>> {
    let shown = path.display();
    let mut file = match File::open(path) {
        // A link to nothing is a mistake to show, not the absence of a config.
        Err(e) if e.kind() == ErrorKind::NotFound && path.symlink_metadata().is_ok() => {
            bail!("config file {shown} is a symbolic link to a file that does not exist")
        }
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        r => r.with_context(|| format!("cannot open config file {shown}"))?,
    };
    // Check the open file (fstat), so that what is checked is what is read.
    let meta = file.metadata();
    let meta = meta.with_context(|| format!("cannot stat config file {shown}"))?;
    if meta.mode() & 0o022 != 0 {
        let msg =
            format!("config file {shown} is writable by other users; run: chmod go-w {shown}");
        return Err(anyhow!(msg));
    }
    let (owner, me) = (meta.uid(), crate::os::uid());
    if owner != me && owner != 0 {
        let msg =
            format!("config file {shown} belongs to another user (uid {owner}), not you or root");
        return Err(anyhow!(msg));
    }
    let mut text = String::new();
    file.read_to_string(&mut text)
        .with_context(|| format!("cannot read config file {shown}"))?;
    Ok(Some(text))
}

/// A TOML basic string, every special character escaped.
fn quote(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => out.extend(['\\', c]),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out + "\""
}

fn quote_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(", "))
}

#[cfg(test)]
mod tests;
