//! Reading a config file: every key and value validated as it is read, each problem one
//! line naming the file, the line and the key (`config.toml:7: bad value …`). A key it
//! does not know is a warning of that shape (`config.toml:7: unknown key 'auto_atach'
//! (did you mean 'auto_attach'?)`), and the rest of the file applies.

use super::{expand_tilde, Config, Daemon, NamingRule, RestartPolicy, SecondTerminal, POLICIES};
use anyhow::{anyhow, Result};
use std::cell::RefCell;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::de::{DeString, DeTable, DeValue};
use toml::Spanned;

/// [`Config::parse`] with `$HOME` given, so that tests need not touch the environment.
/// Returns the config and a warning for each key it does not know.
pub(super) fn parse_with_home(
    text: &str,
    origin: &Path,
    home: Option<PathBuf>,
) -> Result<(Config, Vec<String>)> {
    let cx = Cx {
        text,
        origin,
        home,
        warnings: RefCell::new(Vec::new()),
    };
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
            "second_terminal" => c.second_terminal = cx.second_terminal(k, v)?,
            "skip_terminals" => c.skip_terminals = cx.list(k, v, check_nonempty)?,
            "kill_on_logout" => c.kill_on_logout = cx.list(k, v, check_session)?,
            "restore_programs" => c.restore_programs = cx.list(k, v, check_program)?,
            "naming" => c.naming_rules = cx.naming(v)?,
            "daemons" => c.daemons = cx.daemons(v)?,
            "pick" => (c.pick_roots, c.pick_depth) = cx.pick(v, c.pick_depth)?,
            _ => cx.unknown("", key, TOP_KEYS),
        }
    }
    Ok((c, cx.warnings.into_inner()))
}

const TOP_KEYS: &str = "root prefix auto_attach auto_quit auto_restore skip_terminals \
                        ssh_auto_attach second_terminal kill_on_logout restore_programs naming \
                        daemons pick";

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
    /// Unknown keys, one line each, in file order.
    warnings: RefCell<Vec<String>>,
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

    /// Notes a key that is not one of `known`; the key is then left out.
    fn unknown(&self, parent: &str, key: &Key, known: &str) {
        let name = key.get_ref().escape_debug().to_string();
        let near = crate::suggest::did_you_mean(&name, known.split_whitespace());
        let hint = near
            .map(|k| format!(" (did you mean '{k}'?)"))
            .unwrap_or_default();
        let warning = self.err(&key.span(), format!("unknown key '{parent}{name}'{hint}"));
        self.warnings.borrow_mut().push(warning.to_string());
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
        self.array(key, v, "an array of strings", |at, item| {
            self.checked(at, item, check)
        })
    }

    /// An array, each item read by `read` under its own key (`key[i]`).
    fn array<T>(
        &self,
        key: &str,
        v: &Val,
        expected: &str,
        read: impl Fn(&str, &Val) -> Result<T>,
    ) -> Result<Vec<T>> {
        let DeValue::Array(items) = v.get_ref() else {
            return Err(self.bad(v, key, expected));
        };
        let each = |(i, item)| read(&format!("{key}[{i}]"), item);
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
            let strays = entries(table)
                .into_iter()
                .filter(|(k, _)| !known.split_whitespace().any(|n| n == k.get_ref()));
            for (k, _) in strays {
                self.unknown(&format!("{at}."), k, known);
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
                self.unknown("naming.", key, "rules");
                continue;
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

    /// `[pick]`: `roots` (folders, as `root` is written) and `depth` (1 to 10).
    fn pick(&self, v: &Val, depth: usize) -> Result<(Vec<PathBuf>, usize)> {
        let (mut roots, mut depth) = (Vec::new(), depth);
        for (key, value) in entries(self.table("pick", v)?) {
            match key.get_ref().as_ref() {
                "roots" => {
                    let folder = |at: &str, item: &Val| self.path(at, item);
                    roots = self.array("pick.roots", value, "an array of folders", folder)?;
                }
                "depth" => depth = self.integer("pick.depth", value, 1..=10)? as usize,
                _ => self.unknown("pick.", key, "roots depth"),
            }
        }
        Ok((roots, depth))
    }

    fn integer(&self, key: &str, v: &Val, range: std::ops::RangeInclusive<i64>) -> Result<i64> {
        let n = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
            _ => None,
        };
        match n {
            Some(n) if range.contains(&n) => Ok(n),
            _ => {
                let (lo, hi) = (range.start(), range.end());
                Err(self.bad(v, key, &format!("an integer from {lo} to {hi}")))
            }
        }
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

    fn second_terminal(&self, key: &str, v: &Val) -> Result<SecondTerminal> {
        match self.string(key, v)? {
            "group" => Ok(SecondTerminal::Group),
            "share" => Ok(SecondTerminal::Share),
            _ => Err(self.bad(v, key, "\"group\" or \"share\"")),
        }
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

/// Names that tmux would alter or refuse, as for a NAME typed on the command line: the
/// same check, so that an entry that validates can match a session.
fn check_session(s: &str) -> Option<String> {
    if s.is_empty() {
        return check_nonempty(s);
    }
    let why = crate::tmux::target::name_problem(s)?;
    Some(format!("is not a valid session name (got {s:?}: it {why})"))
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

pub(super) fn check_template(s: &str) -> Option<String> {
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
