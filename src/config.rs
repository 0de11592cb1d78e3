//! The user config (TOML): discovery, defaults, validation.
//!
//! Every key is validated when the file is read; every error is one line naming the file,
//! the line and the key (`config.toml:7: unknown key 'auto_atach'`). Choices the spec
//! leaves open:
//! - `root` and `daemons[].dir` expand `~` and `~/...` with `$HOME` and must then be
//!   absolute (`~user` is not expanded); whether they exist is for `doctor`, not here.
//! - `naming.rules[].path` is kept as written (a relative glob matches at any depth, as in
//!   `naming`); `~user` is refused there too. Templates have no escape for a literal brace.
//! - `daemons[].env` values must be strings (`PORT = "8080"`) and keep the file's order.
//! - No string may contain a NUL character. Indexes in messages count from 0.

use std::ffi::OsString;
use std::fs::File;
use std::io::{ErrorKind, Read};
use std::ops::Range;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use toml::de::{DeString, DeTable, DeValue};
use toml::Spanned;

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
    /// Sessions killed at logout when no client is attached (default none).
    pub kill_on_logout: Vec<String>,
    /// Foreground programs re-run on restore.
    pub restore_programs: Vec<String>,
    /// `[[naming.rules]]`, in file order.
    pub naming_rules: Vec<NamingRule>,
    /// `[[daemons]]`, in file order.
    pub daemons: Vec<Daemon>,
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
            kill_on_logout: Vec::new(),
            restore_programs: ["vim", "nvim", "less", "man", "htop", "top", "tail"]
                .map(String::from)
                .into(),
            naming_rules: Vec::new(),
            daemons: Vec::new(),
        }
    }
}

/// An environment variable read with `get`; empty counts as unset.
fn var(get: &impl Fn(&str) -> Option<OsString>, key: &str) -> Option<PathBuf> {
    get(key).filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// The process environment, as a function that works for any key lifetime.
fn os_env(key: &str) -> Option<OsString> {
    std::env::var_os(key)
}

/// [`Config::path`] over a given environment.
fn path_in(env: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    if let Some(path) = var(&env, "THANOS_TMUX_CONFIG") {
        return Some(path);
    }
    let base = var(&env, "XDG_CONFIG_HOME").filter(|p| p.is_absolute());
    let base = base.or_else(|| Some(var(&env, "HOME")?.join(".config")))?;
    Some(base.join("thanos-tmux/config.toml"))
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
    pub fn path() -> Option<PathBuf> {
        path_in(os_env)
    }

    /// Loads the file at [`Config::path`]; a missing file gives the defaults. Returns the
    /// config and the file it came from (`None` when there was none).
    pub fn load() -> Result<(Config, Option<PathBuf>)> {
        let Some(path) = Config::path() else {
            return Ok((Config::default(), None));
        };
        match read_checked(&path)? {
            Some(text) => Ok((Config::parse(&text, &path)?, Some(path))),
            None => Ok((Config::default(), None)),
        }
    }

    /// Loads a given file, which must exist. Like ssh, refuses a file that other users can
    /// write or that belongs to another user than the caller or root.
    pub fn load_from(path: &Path) -> Result<Config> {
        let text = read_checked(path)?;
        let text = text.ok_or_else(|| anyhow!("config file {} does not exist", path.display()))?;
        Config::parse(&text, path)
    }

    /// Parses and validates config text; `origin` only names the file in messages.
    pub fn parse(text: &str, origin: &Path) -> Result<Config> {
        parse_with_home(text, origin, var(&os_env, "HOME"))
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
        put("kill_on_logout", quote_list(&self.kill_on_logout));
        put("restore_programs", quote_list(&self.restore_programs));
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

/// [`Config::parse`] with `$HOME` given, so that tests need not touch the environment.
fn parse_with_home(text: &str, origin: &Path, home: Option<PathBuf>) -> Result<Config> {
    let cx = Cx { text, origin, home };
    let doc = DeTable::parse(text).map_err(|e| cx.syntax(&e))?;
    let mut c = Config::default();
    for (key, v) in entries(doc.get_ref()) {
        let k: &str = key.get_ref();
        match k {
            "root" => c.root = Some(cx.path(k, v)?),
            "prefix" => c.prefix = cx.checked(k, v, |s| check_name(s, 32))?,
            "auto_attach" => c.auto_attach = cx.boolean(k, v)?,
            "auto_quit" => c.auto_quit = cx.boolean(k, v)?,
            "auto_restore" => c.auto_restore = cx.boolean(k, v)?,
            "ssh_auto_attach" => c.ssh_auto_attach = cx.boolean(k, v)?,
            "skip_terminals" => c.skip_terminals = cx.list(k, v, check_nonempty)?,
            "kill_on_logout" => c.kill_on_logout = cx.list(k, v, check_session)?,
            "restore_programs" => c.restore_programs = cx.list(k, v, check_program)?,
            "naming" => c.naming_rules = cx.naming(v)?,
            "daemons" => c.daemons = cx.daemons(v)?,
            _ => return Err(cx.unknown("", key, TOP_KEYS)),
        }
    }
    Ok(c)
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

// ---- validation ------------------------------------------------------------------------

const TOP_KEYS: &str = "root prefix auto_attach auto_quit auto_restore skip_terminals \
                        ssh_auto_attach kill_on_logout restore_programs naming daemons";

/// A key or value of the document, with its byte span in the file.
type Key<'i> = Spanned<DeString<'i>>;
type Val<'i> = Spanned<DeValue<'i>>;

/// A table's entries in file order (toml keeps them sorted by key), so that the first
/// problem in the file is the one reported.
fn entries<'v, 'i>(table: &'v DeTable<'i>) -> Vec<(&'v Key<'i>, &'v Val<'i>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

/// Checks return what is wrong with a value, to follow its key: "must not be empty".
type Check = fn(&str) -> Option<String>;

/// The file being parsed: turns spans into `file:line: message` errors.
struct Cx<'a> {
    text: &'a str,
    origin: &'a Path,
    home: Option<PathBuf>,
}

/// One table of an array of tables, named for messages (`daemons[1]`).
struct Tbl<'v, 'i> {
    at: String,
    span: Range<usize>,
    table: &'v DeTable<'i>,
}

impl<'v, 'i> Tbl<'v, 'i> {
    fn get(&self, key: &str) -> Option<(String, &'v Val<'i>)> {
        Some((format!("{}.{key}", self.at), self.table.get(key)?))
    }
}

impl Cx<'_> {
    fn line(&self, span: &Range<usize>) -> usize {
        let before = &self.text.as_bytes()[..span.start.min(self.text.len())];
        1 + before.iter().filter(|&&b| b == b'\n').count()
    }

    fn err(&self, span: &Range<usize>, msg: String) -> anyhow::Error {
        anyhow!("{}:{}: {msg}", self.origin.display(), self.line(span))
    }

    fn fail(&self, v: &Val, key: &str, problem: String) -> anyhow::Error {
        self.err(&v.span(), format!("'{key}' {problem}"))
    }

    /// toml's own messages span several lines with a code excerpt: keep one line.
    fn syntax(&self, e: &toml::de::Error) -> anyhow::Error {
        let lines: Vec<&str> = e
            .message()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let msg = format!("invalid TOML: {}", lines.join("; "));
        match e.span() {
            Some(span) => self.err(&span, msg),
            None => anyhow!("{}: {msg}", self.origin.display()),
        }
    }

    fn unknown(&self, parent: &str, key: &Key, known: &str) -> anyhow::Error {
        let name = key.get_ref().escape_debug().to_string();
        let near = known.split_whitespace().find(|k| distance(k, &name) <= 2);
        let hint = near
            .map(|k| format!(" (did you mean '{k}'?)"))
            .unwrap_or_default();
        self.err(&key.span(), format!("unknown key '{parent}{name}'{hint}"))
    }

    fn bad(&self, v: &Val, key: &str, expected: &str) -> anyhow::Error {
        let got = match v.get_ref() {
            DeValue::String(s) => format!("string {s:?}"),
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => format!("integer {n}"),
                Err(_) => format!("integer {i}"),
            },
            DeValue::Boolean(b) => format!("boolean {b}"),
            DeValue::Float(_) => "a float".into(),
            DeValue::Datetime(_) => "a date".into(),
            DeValue::Array(_) => "an array".into(),
            DeValue::Table(_) => "a table".into(),
        };
        self.fail(v, key, format!("must be {expected} (got {got})"))
    }

    fn boolean(&self, key: &str, v: &Val) -> Result<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Ok(*b),
            _ => Err(self.bad(v, key, "true or false")),
        }
    }

    fn string<'v>(&self, key: &str, v: &'v Val) -> Result<&'v str> {
        match v.get_ref() {
            DeValue::String(s) if s.contains('\0') => {
                Err(self.fail(v, key, "must not contain NUL".into()))
            }
            DeValue::String(s) => Ok(s),
            _ => Err(self.bad(v, key, "a string")),
        }
    }

    /// A string that `check` accepts.
    fn checked(&self, key: &str, v: &Val, check: Check) -> Result<String> {
        let s = self.string(key, v)?;
        match check(s) {
            None => Ok(s.to_owned()),
            Some(problem) => Err(self.fail(v, key, problem)),
        }
    }

    fn list(&self, key: &str, v: &Val, check: Check) -> Result<Vec<String>> {
        let DeValue::Array(items) = v.get_ref() else {
            return Err(self.bad(v, key, "an array of strings"));
        };
        let each = |(i, item)| self.checked(&format!("{key}[{i}]"), item, check);
        items.iter().enumerate().map(each).collect()
    }

    fn path(&self, key: &str, v: &Val) -> Result<PathBuf> {
        let s = self.checked(key, v, check_nonempty)?;
        let Some(path) = expand_tilde(&s, self.home.as_deref()) else {
            return Err(self.fail(v, key, "starts with ~ but HOME is not set".into()));
        };
        if !path.is_absolute() {
            let problem = format!("must be an absolute path or start with ~/ (got {s:?})");
            return Err(self.fail(v, key, problem));
        }
        Ok(path)
    }

    fn table<'v, 'i>(&self, key: &str, v: &'v Val<'i>) -> Result<&'v DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(table) => Ok(table),
            _ => Err(self.bad(v, key, "a table")),
        }
    }

    /// An array of tables (`[[key]]` or inline) whose keys are all in `known`.
    fn tables<'v, 'i>(&self, key: &str, v: &'v Val<'i>, known: &str) -> Result<Vec<Tbl<'v, 'i>>> {
        let DeValue::Array(items) = v.get_ref() else {
            return Err(self.bad(v, key, &format!("an array of tables ([[{key}]])")));
        };
        let each = |(i, item): (usize, &'v Val<'i>)| {
            let at = format!("{key}[{i}]");
            let table = self.table(&at, item)?;
            let stray = entries(table)
                .into_iter()
                .find(|(k, _)| !known.split_whitespace().any(|n| n == k.get_ref()));
            if let Some((k, _)) = stray {
                return Err(self.unknown(&format!("{at}."), k, known));
            }
            let span = item.span();
            Ok(Tbl { at, span, table })
        };
        items.iter().enumerate().map(each).collect()
    }

    fn required<'v, 'i>(&self, t: &Tbl<'v, 'i>, key: &str) -> Result<(String, &'v Val<'i>)> {
        let missing = || format!("{} is missing the required key '{key}'", t.at);
        t.get(key).ok_or_else(|| self.err(&t.span, missing()))
    }

    fn naming(&self, v: &Val) -> Result<Vec<NamingRule>> {
        let mut rules = Vec::new();
        for (key, value) in entries(self.table("naming", v)?) {
            if key.get_ref() != "rules" {
                return Err(self.unknown("naming.", key, "rules"));
            }
            for t in self.tables("naming.rules", value, "path name")? {
                let (path_key, path) = self.required(&t, "path")?;
                let (name_key, name) = self.required(&t, "name")?;
                let path = self.checked(&path_key, path, check_glob)?;
                rules.push(NamingRule {
                    path,
                    name: self.checked(&name_key, name, check_template)?,
                });
            }
        }
        Ok(rules)
    }

    fn daemons(&self, v: &Val) -> Result<Vec<Daemon>> {
        let (mut daemons, mut lines) = (Vec::<Daemon>::new(), Vec::new());
        for t in self.tables("daemons", v, "name command dir env restart")? {
            let (key, value) = self.required(&t, "name")?;
            let name = self.checked(&key, value, |s| check_nonempty(s).or(check_name(s, 64)))?;
            if let Some(i) = daemons.iter().position(|d| d.name == name) {
                let msg = format!("{key} '{name}' is used twice (first at line {})", lines[i]);
                return Err(self.err(&value.span(), msg));
            }
            lines.push(self.line(&value.span()));
            let (key, value) = self.required(&t, "command")?;
            let command = self.checked(&key, value, |s| check_nonempty(s.trim()))?;
            let dir = t.get("dir").map(|(k, v)| self.path(&k, v)).transpose()?;
            let env = t.get("env").map(|(k, v)| self.env(&k, v)).transpose()?;
            let restart = t
                .get("restart")
                .map(|(k, v)| self.policy(&k, v))
                .transpose()?;
            let restart = restart.unwrap_or(RestartPolicy::OnFailure);
            daemons.push(Daemon {
                name,
                command,
                dir,
                env: env.unwrap_or_default(),
                restart,
            });
        }
        Ok(daemons)
    }

    fn env(&self, at: &str, v: &Val) -> Result<Vec<(String, String)>> {
        let mut env = Vec::new();
        for (key, value) in entries(self.table(at, v)?) {
            let key_str: &str = key.get_ref();
            let full = format!("{at}.{}", key_str.escape_debug());
            let mut chars = key_str.chars();
            let first = chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
            if !first || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
                let problem = "is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)";
                return Err(self.err(&key.span(), format!("'{full}' {problem}")));
            }
            env.push((key_str.to_owned(), self.string(&full, value)?.to_owned()));
        }
        Ok(env)
    }

    fn policy(&self, key: &str, v: &Val) -> Result<RestartPolicy> {
        let s = self.string(key, v)?;
        let found = POLICIES.iter().find(|p| p.0 == s).map(|p| p.1);
        found.ok_or_else(|| self.bad(v, key, "\"never\", \"on-failure\" or \"always\""))
    }
}

fn check_nonempty(s: &str) -> Option<String> {
    s.is_empty().then(|| "must not be empty".into())
}

/// Prefixes and daemon names: `[A-Za-z0-9_-]`, no leading `-` (an empty prefix is fine).
fn check_name(s: &str, max: usize) -> Option<String> {
    let name_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let problem = if !s.chars().all(name_char) {
        "must contain only letters, digits, '_' and '-'".to_string()
    } else if s.starts_with('-') {
        "must not start with '-'".to_string()
    } else if s.len() > max {
        format!("must be at most {max} characters long")
    } else {
        return None;
    };
    Some(format!("{problem} (got {s:?})"))
}

/// Names that tmux would alter or refuse, as for a NAME typed on the command line.
fn check_session(s: &str) -> Option<String> {
    if s.contains(['.', ':']) || s.chars().any(char::is_control) || s.starts_with('-') {
        let why = "no '.', ':', control characters or leading '-'";
        return Some(format!("is not a valid session name (got {s:?}: {why})"));
    }
    check_nonempty(s)
}

fn check_program(s: &str) -> Option<String> {
    if s.contains('/') || s.chars().any(char::is_whitespace) {
        return Some(format!(
            "must be a program name, without '/' or spaces (got {s:?})"
        ));
    }
    check_nonempty(s)
}

/// Globs: only `~` and `~/...` are expanded, so `~user` would silently never match.
fn check_glob(s: &str) -> Option<String> {
    if s.starts_with('~') && s != "~" && !s.starts_with("~/") {
        return Some(format!("may use ~ only as ~ or ~/... (got {s:?})"));
    }
    check_nonempty(s)
}

fn check_template(s: &str) -> Option<String> {
    let mut rest = s;
    while let Some(i) = rest.find(['{', '}']) {
        let after = &rest[i + 1..];
        let close = after
            .find(['{', '}'])
            .filter(|&j| after[j..].starts_with('}'));
        match close {
            _ if rest[i..].starts_with('}') => {
                return Some(format!("has a '}}' without a matching '{{' (got {s:?})"))
            }
            None => return Some(format!("has a '{{' without a matching '}}' (got {s:?})")),
            Some(j) if !["dir", "parent", "repo", "host"].contains(&&after[..j]) => {
                let (name, allowed) =
                    (after[..j].escape_debug(), "{dir}, {parent}, {repo}, {host}");
                return Some(format!(
                    "uses unknown placeholder '{{{name}}}' (allowed: {allowed})"
                ));
            }
            Some(j) => rest = &after[j + 1..],
        }
    }
    check_nonempty(s)
}

/// Edit distance, for the "did you mean" hint of unknown keys.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = std::mem::replace(&mut row[0], i + 1);
        for (j, &cb) in b.iter().enumerate() {
            let best = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = std::mem::replace(&mut row[j + 1], best);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests;
