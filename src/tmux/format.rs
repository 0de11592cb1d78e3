//! `-F` format strings and pure parsers of tmux's output.
//!
//! Fields are separated by `\x1f`: tmux prints control characters in session names
//! escaped (`\t`, octal), so no name can hold the separator. Paths are printed raw and
//! may hold anything, so the path is always the last field, and a line that does not
//! start a record continues the previous path (a folder name with a newline).

const SEP: char = '\x1f';

/// One live session, as `list-sessions` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    pub id: String,
    pub name: String,
    pub created: i64,
    pub last_attached: Option<i64>,
    pub attached: u32,
    pub windows: u32,
    /// Carries `@thanos-managed`.
    pub managed: bool,
    pub server: ServerId,
    pub path: String,
}

/// What tells one server process from another on the same socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ServerId {
    pub pid: u32,
    pub start_time: i64,
}

/// `-F` for `list-sessions`, matching `parse_sessions`.
pub const SESSIONS: &str = "#{session_id}\x1f#{session_name}\x1f#{session_created}\x1f\
#{session_last_attached}\x1f#{session_attached}\x1f#{session_windows}\x1f#{@thanos-managed}\x1f\
#{pid}\x1f#{start_time}\x1f#{session_path}";

/// `-F` for `display-message -p` about one session: server identity and session id.
pub const IDENTITY: &str = "#{session_id}\x1f#{pid}\x1f#{start_time}";

/// `-F` for `display-message -p` naming the session too (names hold no `\x1f`).
pub const NAMED_IDENTITY: &str = "#{session_name}\x1f#{session_id}\x1f#{pid}\x1f#{start_time}";

/// Parses one line of `display-message -p NAMED_IDENTITY`: name, (session id, server).
pub fn parse_named_identity(line: &str) -> Option<(String, (String, ServerId))> {
    let (name, rest) = line.split_once(SEP)?;
    Some((name.to_string(), parse_identity(rest)?))
}

/// `-F` for `display-message -p` about the server alone (works with no session).
pub const SERVER: &str = "#{pid}\x1f#{start_time}";

const SESSION_FIELDS: usize = 10;

/// Parses `list-sessions -F SESSIONS` output. Malformed lines are skipped.
pub fn parse_sessions(output: &str) -> Vec<SessionRow> {
    parse_records(output, parse_session_line, |row| &mut row.path)
}

/// Splits output into records: a line that does not parse as a record continues the
/// raw path (the last field) of the record before it.
fn parse_records<R>(
    output: &str,
    parse_line: impl Fn(&str) -> Option<R>,
    path: impl Fn(&mut R) -> &mut String,
) -> Vec<R> {
    let mut rows: Vec<R> = Vec::new();
    let body = output.strip_suffix('\n').unwrap_or(output);
    for line in body.split('\n') {
        match (parse_line(line), rows.last_mut()) {
            (Some(row), _) => rows.push(row),
            (None, Some(last)) => {
                let path = path(last);
                path.push('\n');
                path.push_str(line);
            }
            (None, None) => {}
        }
    }
    rows
}

fn parse_session_line(line: &str) -> Option<SessionRow> {
    let f: Vec<&str> = line.splitn(SESSION_FIELDS, SEP).collect();
    if f.len() != SESSION_FIELDS || !is_id(f[0], '$') {
        return None;
    }
    Some(SessionRow {
        id: f[0].to_string(),
        name: f[1].to_string(),
        created: f[2].parse().ok()?,
        last_attached: f[3].parse().ok(),
        attached: f[4].parse().ok()?,
        windows: f[5].parse().ok()?,
        managed: !f[6].is_empty() && f[6] != "0",
        server: ServerId {
            pid: f[7].parse().ok()?,
            start_time: f[8].parse().ok()?,
        },
        path: f[9].to_string(),
    })
}

/// Parses `display-message -p IDENTITY`: (session id, server).
pub fn parse_identity(output: &str) -> Option<(String, ServerId)> {
    let line = output.lines().next()?;
    let f: Vec<&str> = line.split(SEP).collect();
    if f.len() != 3 || !is_id(f[0], '$') {
        return None;
    }
    Some((
        f[0].to_string(),
        ServerId {
            pid: f[1].parse().ok()?,
            start_time: f[2].parse().ok()?,
        },
    ))
}

/// One pane, as `list-panes` reports it for a save.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaneRow {
    pub pane_id: String,
    pub session: String,
    pub session_id: String,
    pub server: ServerId,
    pub window_index: u32,
    pub window_active: bool,
    pub window_name: String,
    pub window_layout: String,
    pub window_width: u32,
    pub window_height: u32,
    pub pane_index: u32,
    pub pane_pid: u32,
    pub pane_command: String,
    pub path: String,
}

/// `-F` for `list-panes`, matching `parse_panes`. Window names come escaped like
/// session names; the path is the only raw field and comes last.
pub const PANES: &str = "#{pane_id}\x1f#{session_name}\x1f#{session_id}\x1f#{pid}\x1f#{start_time}\x1f#{window_index}\x1f\
#{window_active}\x1f#{window_name}\x1f#{window_layout}\x1f#{window_width}\x1f#{window_height}\x1f\
#{pane_index}\x1f#{pane_pid}\x1f#{pane_current_command}\x1f#{pane_current_path}";

const PANE_FIELDS: usize = 15;

/// Parses `list-panes -F PANES` output; a line that does not start a record continues
/// the previous path.
pub fn parse_panes(output: &str) -> Vec<PaneRow> {
    parse_records(output, parse_pane_line, |row| &mut row.path)
}

fn parse_pane_line(line: &str) -> Option<PaneRow> {
    let f: Vec<&str> = line.splitn(PANE_FIELDS, SEP).collect();
    if f.len() != PANE_FIELDS || !is_id(f[0], '%') || !is_id(f[2], '$') {
        return None;
    }
    Some(PaneRow {
        pane_id: f[0].to_string(),
        session: f[1].to_string(),
        session_id: f[2].to_string(),
        server: ServerId {
            pid: f[3].parse().ok()?,
            start_time: f[4].parse().ok()?,
        },
        window_index: f[5].parse().ok()?,
        window_active: f[6] == "1",
        window_name: f[7].to_string(),
        window_layout: f[8].to_string(),
        window_width: f[9].parse().ok()?,
        window_height: f[10].parse().ok()?,
        pane_index: f[11].parse().ok()?,
        pane_pid: f[12].parse().ok()?,
        pane_command: f[13].to_string(),
        path: f[14].to_string(),
    })
}

/// Parses `display-message -p SERVER`.
pub fn parse_server(output: &str) -> Option<ServerId> {
    let (pid, start) = output.lines().next()?.split_once(SEP)?;
    Some(ServerId {
        pid: pid.parse().ok()?,
        start_time: start.parse().ok()?,
    })
}

fn is_id(text: &str, sigil: char) -> bool {
    text.strip_prefix(sigil)
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Parses `tmux -V` ("tmux 3.3a", "tmux next-3.5", "tmux 3.2-rc2") into (major, minor).
/// A development build without a number ("tmux master") counts as new enough.
pub fn parse_version(text: &str) -> Option<(u32, u32)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, name: &str, path: &str) -> String {
        format!("{id}\x1f{name}\x1f100\x1f\x1f1\x1f2\x1f1\x1f42\x1f99\x1f{path}\n")
    }

    #[test]
    fn parses_sessions() {
        let out = line("$1", "api", "/src/api") + &line("$2", "x\\ty", "/tmp");
        let rows = parse_sessions(&out);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "api");
        assert_eq!(rows[0].last_attached, None);
        assert_eq!(
            rows[0].server,
            ServerId {
                pid: 42,
                start_time: 99
            }
        );
        assert!(rows[0].managed);
        assert_eq!(rows[1].path, "/tmp");
    }

    #[test]
    fn paths_may_hold_separators_and_newlines() {
        let out = line("$1", "a", "/tmp/x\x1fy\nz") + &line("$2", "b", "/b");
        let rows = parse_sessions(&out);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].path, "/tmp/x\x1fy\nz");
        assert_eq!(rows[1].path, "/b");
    }

    #[test]
    fn garbage_is_skipped() {
        assert!(parse_sessions("").is_empty());
        assert!(parse_sessions("hello\nworld\n").is_empty());
        assert!(parse_sessions("$x\x1fa\n").is_empty());
    }

    #[test]
    fn parses_identity() {
        assert_eq!(
            parse_identity("$3\x1f10\x1f20\n"),
            Some((
                "$3".into(),
                ServerId {
                    pid: 10,
                    start_time: 20
                }
            ))
        );
        assert_eq!(parse_identity("nonsense"), None);
        assert_eq!(
            parse_named_identity("a b\x1f$3\x1f10\x1f20"),
            Some((
                "a b".into(),
                (
                    "$3".into(),
                    ServerId {
                        pid: 10,
                        start_time: 20
                    }
                )
            ))
        );
        assert_eq!(
            parse_server("7\x1f8\n"),
            Some(ServerId {
                pid: 7,
                start_time: 8
            })
        );
        assert_eq!(parse_server("7"), None);
    }

    #[test]
    fn parses_panes_with_odd_paths() {
        let pane = |id: &str, path: &str| {
            format!("{id}\x1fapi\x1f$1\x1f7\x1f8\x1f1\x1f1\x1fedit\x1fb25d,80x24,0,0,1\x1f80\x1f24\x1f0\x1f42\x1fvim\x1f{path}\n")
        };
        let rows = parse_panes(&(pane("%1", "/a\nb\x1fc") + &pane("%2", "/d")));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].path, "/a\nb\x1fc");
        assert_eq!(rows[0].window_name, "edit");
        assert_eq!(rows[0].pane_pid, 42);
        assert!(rows[0].window_active);
        assert_eq!(rows[1].path, "/d");
        assert!(parse_panes("junk\n").is_empty());
    }

    #[test]
    fn parses_versions() {
        assert_eq!(parse_version("tmux 3.3a"), Some((3, 3)));
        assert_eq!(parse_version("tmux 3.2"), Some((3, 2)));
        assert_eq!(parse_version("tmux next-3.5"), Some((3, 5)));
        assert_eq!(parse_version("tmux 3.2-rc2"), Some((3, 2)));
        assert_eq!(parse_version("tmux 2.9a"), Some((2, 9)));
        assert!(parse_version("tmux master").unwrap() >= (3, 2));
        assert_eq!(parse_version("bash 5"), None);
    }
}
