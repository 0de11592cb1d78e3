//! Context-aware session names: naming rules, git repositories, sanitising,
//! collisions, and the check of names the user types.

use crate::config::NamingRule;
use crate::tmux::target;
use std::path::{Path, PathBuf};

/// Longest generated name.
pub(crate) const MAX_LEN: usize = 64;

/// What `thanos-tmux` without NAME picks for a directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pick {
    pub(crate) name: String,
    pub(crate) start_dir: PathBuf,
}

/// Everything the pick depends on besides the directory.
pub(crate) struct Context<'a> {
    pub(crate) home: &'a Path,
    /// Start directory of `thanos-main` (`THANOS_ROOT`, config `root`, `$HOME`).
    pub(crate) root: &'a Path,
    pub(crate) prefix: &'a str,
    pub(crate) rules: &'a [NamingRule],
    pub(crate) host: &'a str,
}

impl Context<'_> {
    /// `thanos-main` with the configured prefix.
    pub(crate) fn main_name(&self) -> String {
        format!("{}main", self.prefix)
    }
}

/// Picks the session for `dir` (the rules after `THANOS_TMUX_SESSION`, which is the
/// caller's). `recorded_dir` answers the start directory recorded for a name, so that two
/// checkouts with the same name never share a session.
pub(crate) fn pick(
    dir: &Path,
    ctx: &Context,
    recorded_dir: impl Fn(&str) -> Option<PathBuf>,
) -> Pick {
    let generated = pick_by_rule(dir, ctx).or_else(|| pick_by_repo(dir, ctx));
    match generated {
        Some(p) => avoid_collision(p, recorded_dir),
        None => Pick {
            name: ctx.main_name(),
            start_dir: ctx.root.to_path_buf(),
        },
    }
}

fn pick_by_rule(dir: &Path, ctx: &Context) -> Option<Pick> {
    for rule in ctx.rules {
        for folder in dir.ancestors() {
            if glob_matches(&rule.path, folder, ctx.home) {
                let name = render(&rule.name, folder, dir, ctx.host);
                return Some(Pick {
                    name: sanitize(&name, &ctx.main_name()),
                    start_dir: folder.to_path_buf(),
                });
            }
        }
    }
    None
}

fn pick_by_repo(dir: &Path, ctx: &Context) -> Option<Pick> {
    let root = git_root(dir)?;
    if root == ctx.home || root == Path::new("/") {
        return None;
    }
    Some(Pick {
        name: sanitize(&basename(&root), &ctx.main_name()),
        start_dir: root,
    })
}

fn avoid_collision(pick: Pick, recorded_dir: impl Fn(&str) -> Option<PathBuf>) -> Pick {
    let free = |name: &str| recorded_dir(name).is_none_or(|d| d == pick.start_dir);
    if free(&pick.name) {
        return pick;
    }
    let parent = pick.start_dir.parent().map(basename).unwrap_or_default();
    let base = join_capped(&pick.name, &sanitize(&parent, "root"));
    let mut name = base.clone();
    let mut n = 2;
    while !free(&name) {
        name = join_capped(&base, &n.to_string());
        n += 1;
    }
    Pick {
        name,
        start_dir: pick.start_dir,
    }
}

/// `base-suffix`, with `base` shortened so that the whole stays within MAX_LEN.
fn join_capped(base: &str, suffix: &str) -> String {
    let room = MAX_LEN.saturating_sub(suffix.len() + 1);
    let head: String = base.chars().take(room).collect();
    format!("{head}-{suffix}")
}

fn render(template: &str, folder: &Path, dir: &Path, host: &str) -> String {
    let parent = folder.parent().map(basename).unwrap_or_default();
    let repo = git_root(dir).map(|r| basename(&r)).unwrap_or_default();
    template
        .replace("{dir}", &basename(folder))
        .replace("{parent}", &parent)
        .replace("{repo}", &repo)
        .replace("{host}", host)
}

fn basename(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The root of the git work tree holding `dir`: the nearest ancestor with a `.git`
/// folder or worktree file. Found without running git.
pub(crate) fn git_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Sanitises a generated name for tmux: only `[A-Za-z0-9_-]` survive, every other run
/// of characters becomes one `-`, a leading `-` is dropped, at most MAX_LEN characters,
/// and an empty result becomes `fallback`.
pub(crate) fn sanitize(raw: &str, fallback: &str) -> String {
    let mut out = String::with_capacity(raw.len().min(MAX_LEN));
    let mut in_run = false;
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('-');
            in_run = true;
        }
    }
    let trimmed: String = out.trim_start_matches('-').chars().take(MAX_LEN).collect();
    if trimmed.is_empty() {
        fallback.to_string()
    } else {
        trimmed
    }
}

/// Checks a name the user typed. tmux would alter or refuse it when it is empty, holds
/// `.`, `:`, `$`, `\` or a control character, or starts with `-`; the error says why.
pub(crate) fn check_typed(name: &str) -> Result<(), String> {
    match target::name_problem(name) {
        Some(why) => Err(why.to_string()),
        None => Ok(()),
    }
}

/// Matches a naming-rule glob against a folder. `~` is home, `*` matches within one
/// path component, `**` across components. A pattern that starts with neither `/` nor
/// `~` may match at any depth.
pub(crate) fn glob_matches(pattern: &str, folder: &Path, home: &Path) -> bool {
    let expanded = if pattern == "~" {
        home.to_string_lossy().into_owned()
    } else if let Some(rest) = pattern.strip_prefix("~/") {
        format!("{}/{rest}", home.to_string_lossy().trim_end_matches('/'))
    } else if pattern.starts_with('/') {
        pattern.to_string()
    } else {
        format!("/**/{pattern}")
    };
    let pat: Vec<&str> = expanded.split('/').filter(|p| !p.is_empty()).collect();
    let folder = folder.to_string_lossy();
    let path: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    match_components(&pat, &path)
}

/// Whether the pattern components match the path components: a table of which
/// pattern suffix matches which path suffix, filled from the end, so `**` costs
/// O(pattern × path²) at worst instead of exponential backtracking.
fn match_components(pat: &[&str], path: &[&str]) -> bool {
    let (p_len, q_len) = (pat.len(), path.len());
    // ok[i][j]: pat[i..] matches path[j..]
    let mut ok = vec![vec![false; q_len + 1]; p_len + 1];
    ok[p_len][q_len] = true;
    for i in (0..p_len).rev() {
        for j in (0..=q_len).rev() {
            ok[i][j] = if pat[i] == "**" {
                (j..=q_len).any(|k| ok[i + 1][k])
            } else {
                j < q_len && match_star(pat[i], path[j]) && ok[i + 1][j + 1]
            };
        }
    }
    ok[0][0]
}

/// `*` matches any run of characters within one component; everything else is literal.
fn match_star(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = parts.collect();
    let Some((last, middle)) = pieces.split_last() else {
        return rest.is_empty();
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// The short host name, for `{host}`.
pub(crate) fn host_name() -> String {
    crate::os::short_host_name()
}

#[cfg(test)]
mod tests;
