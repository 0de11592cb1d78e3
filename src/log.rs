//! The log file in the state folder (size-capped, one rotated file) and the warnings
//! shown to the user. Nothing is written anywhere until a program asks for it with
//! `init_logging`: a library prints nothing of its own accord. `-v` mirrors the log
//! to stderr.

use crate::env::Environment;
use std::fmt::Display;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::OnceLock;

/// How much is written, from `THANOS_TMUX_LOG` (default `warn`; `-v` means `debug`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub(crate) enum Level {
    Error = 0,
    Warn = 1,
    Info = 2,
    Debug = 3,
}

impl Level {
    fn parse(text: &str) -> Option<Level> {
        match text.to_ascii_lowercase().as_str() {
            "error" => Some(Level::Error),
            "warn" | "warning" => Some(Level::Warn),
            "info" => Some(Level::Info),
            "debug" => Some(Level::Debug),
            _ => None,
        }
    }
}

const MAX_BYTES: u64 = 1 << 20;
static LEVEL: AtomicU8 = AtomicU8::new(Level::Warn as u8);
static MIRROR: AtomicBool = AtomicBool::new(false);
static QUIET: AtomicBool = AtomicBool::new(false);
static WARN_ON_STDERR: AtomicBool = AtomicBool::new(false);
static DIR: OnceLock<PathBuf> = OnceLock::new();

/// Sends the library's log to `thanos-tmux.log` in the state folder and its warnings
/// to stderr, one `thanos-tmux: warning: …` line each, as the command line does.
/// `verbose` mirrors every line of the log to stderr; `quiet` silences the warnings
/// (the log still gets them). The level comes from `THANOS_TMUX_LOG` (`error`,
/// `warn`, `info`, `debug`; default `warn`). Call once, early.
pub fn init_logging(env: &Environment, verbose: bool, quiet: bool) {
    let level = env.text("THANOS_TMUX_LOG").and_then(Level::parse);
    init(
        crate::state::Store::locate(env)
            .ok()
            .map(|s| s.dir().to_path_buf()),
        level,
        verbose,
        quiet,
    );
    WARN_ON_STDERR.store(true, Ordering::Relaxed);
}

/// Writes one error line to the log (see `init_logging`).
pub fn log_error(message: impl Display) {
    log(Level::Error, message);
}

/// Sets where the log goes and how loud the process is.
fn init(dir: Option<PathBuf>, env_level: Option<Level>, verbose: bool, quiet: bool) {
    let level = if verbose {
        Level::Debug
    } else {
        env_level.unwrap_or(Level::Warn)
    };
    LEVEL.store(level as u8, Ordering::Relaxed);
    MIRROR.store(verbose, Ordering::Relaxed);
    QUIET.store(quiet, Ordering::Relaxed);
    if let Some(dir) = dir {
        let _ = DIR.set(dir);
    }
}

/// True when `-q` was given.
pub(crate) fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Writes one line to the log (and to stderr with `-v`) when `level` is enabled.
pub(crate) fn log(level: Level, message: impl Display) {
    if level as u8 > LEVEL.load(Ordering::Relaxed) {
        return;
    }
    let line = format!(
        "{} {} {:?} {message}\n",
        timestamp(crate::os::now()),
        std::process::id(),
        level
    );
    if MIRROR.load(Ordering::Relaxed) {
        eprintln!("thanos-tmux: {message}");
    }
    if let Some(dir) = DIR.get() {
        let _ = append(dir, &line);
    }
}

/// Logs at debug level.
pub(crate) fn debug(message: impl Display) {
    log(Level::Debug, message);
}

/// Logs at info level.
pub(crate) fn info(message: impl Display) {
    log(Level::Info, message);
}

/// Tells the user (one line on stderr, unless `-q`) and logs it.
pub(crate) fn warn(message: impl Display) {
    let message = message.to_string();
    if WARN_ON_STDERR.load(Ordering::Relaxed) && !quiet() && !MIRROR.load(Ordering::Relaxed) {
        eprintln!("thanos-tmux: warning: {message}");
    }
    log(Level::Warn, message);
}

fn append(dir: &std::path::Path, line: &str) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // Only into a folder others cannot write (as the state file), never through a link.
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() && meta.permissions().mode() & 0o022 == 0 => {}
        _ => return Ok(()),
    }
    let path = dir.join("thanos-tmux.log");
    if fs::metadata(&path)
        .map(|m| m.len() > MAX_BYTES)
        .unwrap_or(false)
    {
        fs::rename(&path, dir.join("thanos-tmux.log.1"))?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    file.write_all(line.as_bytes())
}

/// `2026-11-26T12:00:00Z` from Unix seconds (UTC), without a date crate.
pub(crate) fn timestamp(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(1_795_697_568), "2026-11-26T12:52:48Z");
        assert_eq!(timestamp(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn levels_parse() {
        assert_eq!(Level::parse("INFO"), Some(Level::Info));
        assert_eq!(Level::parse("nope"), None);
    }
}
