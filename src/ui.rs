//! Human output: the purple and gold theme (only on a terminal), aligned tables,
//! relative times, and stdout writes that end quietly on a closed pipe.

use crate::cli::ColorChoice;
use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};
use thanos_tmux::DaemonStatus;

/// Paints text for one stream.
#[derive(Clone, Copy, Debug)]
pub struct Paint {
    on: bool,
}

const PURPLE: &str = "\x1b[38;5;135m";
const GOLD: &str = "\x1b[38;5;220m";
const RED: &str = "\x1b[38;5;203m";
const GREEN: &str = "\x1b[38;5;114m";
const DIM: &str = "\x1b[2m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

impl Paint {
    /// Colour for stdout (`stderr = false`) or stderr, honouring `--color` and `NO_COLOR`.
    pub fn new(choice: ColorChoice, stderr: bool) -> Paint {
        let on = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let tty = if stderr {
                    io::stderr().is_terminal()
                } else {
                    io::stdout().is_terminal()
                };
                tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Paint { on }
    }

    /// True when this stream gets colour.
    pub fn is_on(&self) -> bool {
        self.on
    }

    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    /// The theme's main colour.
    pub fn purple(&self, text: &str) -> String {
        self.wrap(PURPLE, text)
    }
    /// The theme's accent.
    pub fn gold(&self, text: &str) -> String {
        self.wrap(GOLD, text)
    }
    /// Failures.
    pub fn red(&self, text: &str) -> String {
        self.wrap(RED, text)
    }
    /// Success.
    pub fn green(&self, text: &str) -> String {
        self.wrap(GREEN, text)
    }
    /// Secondary text.
    pub fn dim(&self, text: &str) -> String {
        self.wrap(DIM, text)
    }
    /// Headings.
    pub fn bold(&self, text: &str) -> String {
        self.wrap(BOLD, text)
    }
}

/// Text from outside (a folder, a name) made safe for a terminal: control characters
/// are shown escaped (`\e`, `\n`, `\t`, `\x07`), so a folder cannot clear the screen,
/// move the cursor or write the clipboard; so are the bidirectional controls
/// (`\u{202e}`), so that it cannot show its letters in another order either.
pub fn printable(text: &str) -> Cow<'_, str> {
    // One pass over the bytes: C0 controls and DEL are single bytes; C1 controls
    // (U+0080 to U+009F) all start with the byte 0xC2 and the bidirectional ones with
    // 0xE2, which only then need a look.
    let bytes = text.as_bytes();
    let plain = !bytes.iter().any(|&b| b < 0x20 || b == 0x7f)
        && (!bytes.iter().any(|&b| b == 0xc2 || b == 0xe2) || !text.chars().any(hidden));
    if plain {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\x1b' => out.push_str("\\e"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c if hidden(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A character a terminal acts on instead of showing: a control character, or one
/// that changes the direction of the text around it.
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The user-perceived characters of a text (what the fuzzy matcher counts).
pub fn graphemes(text: &str) -> impl Iterator<Item = &str> {
    unicode_segmentation::UnicodeSegmentation::graphemes(text, true)
}

/// The user-perceived characters of a text with their byte offsets.
pub fn grapheme_indices(text: &str) -> impl Iterator<Item = (usize, &str)> {
    unicode_segmentation::UnicodeSegmentation::grapheme_indices(text, true)
}

/// Renders rows as columns separated by two spaces; `paint` colours each cell after
/// padding, so escapes never disturb the alignment. Cells are shown `printable`.
pub fn table(rows: &[Vec<String>], paint: impl Fn(usize, usize, &str) -> String) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|cell| printable(cell).into_owned()).collect())
        .collect();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (r, row) in rows.iter().enumerate() {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let last = c + 1 == row.len();
            let pad = if last {
                0
            } else {
                widths[c] - cell.chars().count() + 2
            };
            line.push_str(&paint(r, c, cell));
            line.push_str(&" ".repeat(pad));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `just now`, `5m ago`, `2h ago`, `3d ago`.
/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

pub fn ago(then: i64, now: i64) -> String {
    let secs = (now - then).max(0);
    match secs {
        0..=59 => "just now".into(),
        60..=3599 => format!("{}m ago", secs / 60),
        3600..=86_399 => format!("{}h ago", secs / 3600),
        _ => format!("{}d ago", secs / 86_400),
    }
}

/// What a pause of auto-attach means to the user, until `until` (Unix seconds).
pub fn pause_line(until: i64, now: i64) -> String {
    format!(
        "auto-attach is paused for {} more min after 3 failures; typing `thanos-tmux` attaches by hand and lifts the pause",
        ((until - now).max(0) + 59) / 60
    )
}

/// Writes to stdout; a closed pipe (`list | head`) is not an error worth a message.
pub fn out(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

/// `45s`, `3m`, `2h`, `4d`.
pub fn duration(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m", secs / 60),
        3600..=86_399 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86_400),
    }
}

/// `1.5%`, or `?` when unknown (a system without `/proc`).
pub fn percent(cpu: Option<f64>) -> String {
    cpu.map_or("?".into(), |cpu| format!("{cpu:.1}%"))
}

/// `bytes`, or `?` when unknown (a system without `/proc`).
pub fn size(n: Option<u64>) -> String {
    n.map_or("?".into(), bytes)
}

/// `512K`, `12.5M`, `1.2G`.
pub fn bytes(n: u64) -> String {
    const K: f64 = 1024.0;
    let n = n as f64;
    if n < K * K {
        format!("{:.0}K", n / K)
    } else if n < K * K * K {
        format!("{:.1}M", n / K / K)
    } else {
        format!("{:.1}G", n / K / K / K)
    }
}

/// `~/x` for folders under home, for people.
pub fn tilde(path: &str) -> String {
    // Read once: a picker or a list of thousands of folders asks for every one.
    static HOME: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let home = HOME.get_or_init(|| {
        std::env::var("HOME")
            .ok()
            .filter(|h| !h.is_empty() && h != "/")
    });
    match home.as_deref().and_then(|home| path.strip_prefix(home)) {
        Some("") => "~".into(),
        Some(rest) if rest.starts_with('/') => format!("~{rest}"),
        _ => path.to_string(),
    }
}

/// The compact health string for a status line: `● 3/3` or `✖ 2/3`; empty without
/// daemons.
pub fn health_line(statuses: &[DaemonStatus]) -> String {
    if statuses.is_empty() {
        return String::new();
    }
    let running = statuses.iter().filter(|s| s.running).count();
    let mark = if running == statuses.len() {
        "●"
    } else {
        "✖"
    };
    format!("{mark} {running}/{}", statuses.len())
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align() {
        let rows = vec![
            vec!["NAME".into(), "X".into()],
            vec!["api-long".into(), "1".into()],
        ];
        assert_eq!(
            table(&rows, |_, _, s| s.to_string()),
            "NAME      X\napi-long  1\n"
        );
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(
            printable("a\x1b[2Jb\nc\td\x07\u{9b}é"),
            "a\\e[2Jb\\nc\\td\\x07\\x9bé"
        );
        let t = table(&[vec!["x\ny".into(), "z".into()]], |_, _, c| c.to_string());
        assert_eq!(t, "x\\ny  z\n");
        assert_eq!(
            printable("bidi\u{202e}live\u{2066}"),
            "bidi\\u{202e}live\\u{2066}"
        );
        // Other text from the same block passes as it is: a dash, an emoji sequence.
        assert_eq!(
            printable("a\u{2013}b 👩\u{200d}💻"),
            "a\u{2013}b 👩\u{200d}💻"
        );
    }

    #[test]
    fn relative_times() {
        assert_eq!(ago(100, 100), "just now");
        assert_eq!(ago(0, 300), "5m ago");
        assert_eq!(ago(0, 7200), "2h ago");
        assert_eq!(ago(0, 3 * 86_400), "3d ago");
    }

    #[test]
    fn unknown_figures_show_as_unknown() {
        assert_eq!(percent(None), "?");
        assert_eq!(size(None), "?");
        assert_eq!(percent(Some(0.0)), "0.0%");
        assert_eq!(size(Some(2048)), "2K");
    }

    #[test]
    fn health() {
        let mut s = DaemonStatus {
            name: "a".into(),
            window: Some(1),
            running: true,
            stopped: false,
            pid: Some(1),
            exit_status: None,
            uptime_s: None,
            restarts: 0,
            gave_up: false,
            cpu_percent: Some(0.0),
            memory_bytes: Some(0),
        };
        assert_eq!(health_line(&[]), "");
        assert_eq!(health_line(&[s.clone()]), "● 1/1");
        s.running = false;
        assert_eq!(
            health_line(&[s.clone(), DaemonStatus { running: true, ..s }]),
            "✖ 1/2"
        );
    }
}
