//! `-F` format strings and the parser of what tmux prints for them.
//!
//! Every tmux from 3.2 to master prints the same records for these formats, whatever
//! a name, folder or program holds:
//! - text fields are quoted by tmux itself (`#{q:...}`), which puts a `\` before each
//!   of ``|&;<>()$`\"'*?[# =%`` (and, from tmux 3.7 on, before newline and tab);
//! - a field ends with `|` and a record with `>` and a newline.
//!
//! So a `|` or `>` that is not escaped is always ours: no byte of a name or folder can
//! forge a field or a record. Control characters reach us raw from most versions and
//! escaped from tmux 3.4 and 3.5, which pass command output through `vis(3)` (`\037`,
//! `\r`, and `\$` for a `$` before a letter); [`records`] decodes every form alike, so
//! a value comes back exactly as tmux holds it.

/// One live session, as `list-sessions` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SessionRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) created: i64,
    pub(crate) last_attached: Option<i64>,
    pub(crate) attached: u32,
    pub(crate) windows: u32,
    /// Carries `@thanos-managed`.
    pub(crate) managed: bool,
    pub(crate) server: ServerId,
    pub(crate) path: String,
    /// The group it shares its windows with (named after the group's first session).
    pub(crate) group: Option<String>,
    /// A second terminal's session in a group (`@thanos-grouped`): never recorded.
    pub(crate) twin: bool,
}

/// What tells one server process from another on the same socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ServerId {
    pub(crate) pid: u32,
    pub(crate) start_time: i64,
}

/// tmux answered with something that is not the records asked for (a server of
/// another version, say). Carries the start of the answer, for the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unreadable(pub String);

impl Unreadable {
    fn of(output: &str) -> Self {
        let start: String = output.chars().take(60).collect();
        Unreadable(format!("{start:?}"))
    }
}

/// `-F` for `list-sessions`, matching `parse_sessions`.
pub(crate) const SESSIONS: &str = "#{session_id}|#{q:session_name}|#{session_created}|\
#{session_last_attached}|#{session_attached}|#{session_windows}|#{q:@thanos-managed}|\
#{pid}|#{start_time}|#{q:session_path}|#{q:session_group}|#{q:@thanos-grouped}>";

/// `-F` for `list-sessions` when only the names are wanted (and which are a second
/// terminal's session, left out).
pub(crate) const NAMES: &str = "#{q:session_name}|#{q:@thanos-grouped}>";

/// `-F` for `list-sessions` or `display-message -p` naming each session: name, id and
/// server identity.
pub(crate) const NAMED_IDENTITY: &str = "#{q:session_name}|#{session_id}|#{pid}|#{start_time}>";

/// `-F` for `new-session -P`: the id of the session just made.
pub(crate) const CREATED: &str = "#{session_id}>";

/// `-F` for `display-message -p` about the server alone (works with no session).
pub(crate) const SERVER: &str = "#{pid}|#{start_time}|#{q:version}>";

/// `-F` for `list-panes -a`: each pane's process and its session.
pub(crate) const PANE_PIDS: &str = "#{pane_pid}|#{q:session_name}>";

/// `-F` for `list-panes`, matching `parse_panes`.
pub(crate) const PANES: &str = "#{pane_id}|#{q:session_name}|#{session_id}|#{pid}|#{start_time}|\
#{window_index}|#{window_active}|#{q:window_name}|#{q:window_layout}|#{window_width}|\
#{window_height}|#{pane_index}|#{pane_pid}|#{q:pane_current_command}|#{q:pane_current_path}|\
#{q:@thanos-grouped}>";

/// Splits tmux's answer into records of fields, each decoded to the exact text tmux
/// holds. Anything but whole records is `Unreadable`.
pub(crate) fn records(output: &str) -> Result<Vec<Vec<String>>, Unreadable> {
    let bytes = output.as_bytes();
    let mut rows = Vec::new();
    let mut fields = Vec::new();
    let mut field = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let (byte, width) = match bytes[i] {
            b'\\' => unescape(&bytes[i..]).ok_or_else(|| Unreadable::of(output))?,
            b'|' => {
                fields.push(String::from_utf8_lossy(&field).into_owned());
                field.clear();
                i += 1;
                continue;
            }
            b'>' => {
                fields.push(String::from_utf8_lossy(&field).into_owned());
                field.clear();
                rows.push(std::mem::take(&mut fields));
                i += 1;
                if bytes.get(i) == Some(&b'\n') {
                    i += 1;
                }
                continue;
            }
            other => (other, 1),
        };
        field.push(byte);
        i += width;
    }
    if !field.is_empty() || !fields.is_empty() {
        return Err(Unreadable::of(output));
    }
    Ok(rows)
}

/// One escape at the start of `s` (which starts with `\`): the byte it stands for and
/// how many bytes it takes.
fn unescape(s: &[u8]) -> Option<(u8, usize)> {
    let next = *s.get(1)?;
    Some(match next {
        // tmux 3.4/3.5 write `$` before a letter, `_` or `{` as `\$`; quoted by us
        // first, it arrives as `\\$`. A quoted `\` is never followed by a bare `$`.
        b'\\' if s.get(2) == Some(&b'$') => (b'$', 3),
        b'0'..=b'3' if s.len() >= 4 && s[2..4].iter().all(|b| (b'0'..=b'7').contains(b)) => {
            ((next - b'0') << 6 | (s[2] - b'0') << 3 | (s[3] - b'0'), 4)
        }
        b'a' => (0x07, 2),
        b'b' => (0x08, 2),
        b't' => (b'\t', 2),
        b'n' => (b'\n', 2),
        b'v' => (0x0b, 2),
        b'f' => (0x0c, 2),
        b'r' => (b'\r', 2),
        b's' => (b' ', 2),
        // What tmux's quoting escaped: the character itself.
        other => (other, 2),
    })
}

/// The records of `output`, each with exactly `n` fields, read by `row`.
fn rows_of<R>(
    output: &str,
    n: usize,
    row: impl Fn(&[String]) -> Option<R>,
) -> Result<Vec<R>, Unreadable> {
    records(output)?
        .iter()
        .map(|f| {
            (f.len() == n)
                .then(|| row(f))
                .flatten()
                .ok_or_else(|| Unreadable::of(output))
        })
        .collect()
}

/// Parses `list-sessions -F SESSIONS` output.
pub(crate) fn parse_sessions(output: &str) -> Result<Vec<SessionRow>, Unreadable> {
    rows_of(output, 12, |f| {
        Some(SessionRow {
            id: id(&f[0], '$')?,
            name: f[1].clone(),
            created: f[2].parse().ok()?,
            last_attached: f[3].parse().ok(),
            attached: f[4].parse().ok()?,
            windows: f[5].parse().ok()?,
            managed: !f[6].is_empty() && f[6] != "0",
            server: server(&f[7], &f[8])?,
            path: f[9].clone(),
            group: Some(f[10].clone()).filter(|g| !g.is_empty()),
            twin: !f[11].is_empty() && f[11] != "0",
        })
    })
}

/// Parses `list-sessions -F NAMES` output.
/// Parses `list-sessions -F NAMES` output: the names of all but second terminals'
/// sessions.
pub(crate) fn parse_names(output: &str) -> Result<Vec<String>, Unreadable> {
    let rows = rows_of(output, 2, |f| {
        Some((f[0].clone(), f[1].is_empty() || f[1] == "0"))
    })?;
    Ok(rows
        .into_iter()
        .filter(|(_, own)| *own)
        .map(|(name, _)| name)
        .collect())
}

/// What a call that builds sessions printed: the ids `new-session -P -F CREATED`
/// made, and the sessions reported with `NAMED_IDENTITY`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Built {
    pub(crate) created: Vec<String>,
    /// (name, (session id, server)).
    pub(crate) sessions: Vec<(String, (String, ServerId))>,
}

/// Parses the output of a build call.
pub(crate) fn parse_built(output: &str) -> Result<Built, Unreadable> {
    let mut built = Built::default();
    for f in records(output)? {
        match f.as_slice() {
            [created] => built
                .created
                .push(id(created, '$').ok_or_else(|| Unreadable::of(output))?),
            [name, sid, pid, start] => built.sessions.push((
                name.clone(),
                id(sid, '$')
                    .zip(server(pid, start))
                    .ok_or_else(|| Unreadable::of(output))?,
            )),
            _ => return Err(Unreadable::of(output)),
        }
    }
    Ok(built)
}

/// The server a `display-message -p SERVER` describes, and its version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ServerInfo {
    pub(crate) id: ServerId,
    pub(crate) version: String,
}

/// Parses `display-message -p SERVER`.
pub(crate) fn parse_server(output: &str) -> Result<ServerInfo, Unreadable> {
    let mut rows = rows_of(output, 3, |f| {
        Some(ServerInfo {
            id: server(&f[0], &f[1])?,
            version: f[2].clone(),
        })
    })?;
    match rows.len() {
        1 => Ok(rows.remove(0)),
        _ => Err(Unreadable::of(output)),
    }
}

/// Parses `list-panes -F PANE_PIDS`: (pane pid, session name). A dead pane has no
/// process (newer tmux prints no pid for it): it is left out.
pub(crate) fn parse_pane_pids(output: &str) -> Result<Vec<(u32, String)>, Unreadable> {
    let rows = rows_of(output, 2, |f| Some((f[0].parse().ok(), f[1].clone())))?;
    Ok(rows
        .into_iter()
        .filter_map(|(pid, name)| Some((pid?, name)))
        .collect())
}

/// One pane, as `list-panes` reports it for a save.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PaneRow {
    pub(crate) pane_id: String,
    pub(crate) session: String,
    pub(crate) session_id: String,
    pub(crate) server: ServerId,
    pub(crate) window_index: u32,
    pub(crate) window_active: bool,
    pub(crate) window_name: String,
    pub(crate) window_layout: String,
    pub(crate) window_width: u32,
    pub(crate) window_height: u32,
    pub(crate) pane_index: u32,
    /// 0 for a dead pane, which runs nothing.
    pub(crate) pane_pid: u32,
    pub(crate) pane_command: String,
    pub(crate) path: String,
    /// The pane is in a second terminal's session (`@thanos-grouped`).
    pub(crate) twin: bool,
}

/// Parses `list-panes -F PANES` output.
pub(crate) fn parse_panes(output: &str) -> Result<Vec<PaneRow>, Unreadable> {
    rows_of(output, 16, |f| {
        Some(PaneRow {
            pane_id: id(&f[0], '%')?,
            session: f[1].clone(),
            session_id: id(&f[2], '$')?,
            server: server(&f[3], &f[4])?,
            window_index: f[5].parse().ok()?,
            window_active: f[6] == "1",
            window_name: f[7].clone(),
            window_layout: f[8].clone(),
            window_width: f[9].parse().ok()?,
            window_height: f[10].parse().ok()?,
            pane_index: f[11].parse().ok()?,
            // A dead pane (`remain-on-exit`) has no process: tmux master prints nothing.
            pane_pid: if f[12].is_empty() {
                0
            } else {
                f[12].parse().ok()?
            },
            pane_command: f[13].clone(),
            path: f[14].clone(),
            twin: !f[15].is_empty() && f[15] != "0",
        })
    })
}

fn server(pid: &str, start_time: &str) -> Option<ServerId> {
    Some(ServerId {
        pid: pid.parse().ok()?,
        start_time: start_time.parse().ok()?,
    })
}

/// `text` when it is a tmux id with this sigil (`$3`, `%12`).
pub(crate) fn id(text: &str, sigil: char) -> Option<String> {
    text.strip_prefix(sigil)
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.to_string())
}

/// Parses `tmux -V` ("tmux 3.3a", "tmux next-3.5", "tmux 3.2-rc2") into (major, minor).
/// A development build without a number ("tmux master") counts as new enough.
pub(crate) fn parse_version(text: &str) -> Option<(u32, u32)> {
    let rest = text.trim().strip_prefix("tmux ")?;
    if rest == "master" {
        return Some((u32::MAX, 0));
    }
    let rest = rest.strip_prefix("next-").unwrap_or(rest);
    let mut parts = rest.splitn(2, '.');
    let major = parts.next()?.parse().ok()?;
    let minor_digits: String = parts
        .next()
        .unwrap_or("0")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some((major, minor_digits.parse().unwrap_or(0)))
}

/// The command in one slot of a global hook, from `show-hooks -g` output
/// (`EVENT[INDEX] COMMAND` a line); `None` when the slot is empty.
pub(crate) fn hook_command(show_hooks: &str, event: &str, index: u32) -> Option<String> {
    let slot = format!("{event}[{index}] ");
    show_hooks
        .lines()
        .find_map(|line| line.strip_prefix(&slot))
        .map(str::to_string)
}

/// `list-panes` of the monitor session, one row per daemon window.
pub(crate) const DAEMONS: &str = "#{pane_id}|#{window_index}|#{q:@thanos-daemon}|#{pane_dead}|\
#{pane_dead_status}|#{pane_pid}|#{q:@thanos-stopped}|#{q:@thanos-restarts}|#{q:@thanos-gave-up}|\
#{q:@thanos-failures}>";

#[derive(Clone, Debug, Default)]
/// One daemon window of the monitor session.
pub(crate) struct DaemonRow {
    pub(crate) pane: String,
    pub(crate) window: u32,
    pub(crate) daemon: String,
    pub(crate) dead: bool,
    pub(crate) exit_status: Option<i32>,
    pub(crate) pid: Option<u32>,
    pub(crate) stopped: bool,
    pub(crate) restarts: u32,
    pub(crate) gave_up: bool,
    pub(crate) failures: Vec<i64>,
}

/// Reads `DAEMONS` rows; panes that are not a daemon's are left out.
pub(crate) fn parse_daemon_rows(out: &str) -> Result<Vec<DaemonRow>, Unreadable> {
    Ok(records(out)?
        .into_iter()
        .filter_map(|f| {
            (f.len() == 10 && id(&f[0], '%').is_some()).then(|| DaemonRow {
                pane: f[0].clone(),
                window: f[1].parse().unwrap_or(0),
                daemon: f[2].clone(),
                dead: f[3] == "1",
                exit_status: f[4].parse().ok(),
                pid: f[5].parse().ok(),
                stopped: f[6] == "1",
                restarts: f[7].parse().unwrap_or(0),
                gave_up: f[8] == "1",
                failures: f[9].split(',').filter_map(|t| t.parse().ok()).collect(),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests;
