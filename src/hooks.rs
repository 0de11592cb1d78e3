//! The tmux hooks that keep the state file true: registering them, and
//! coalescing the bursts of events they fire.

use crate::os;
use crate::tmux::{target, Batch};
use std::fs::{self, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The hook array index thanos-tmux owns; a user's hooks at other indexes keep working.
pub(crate) const INDEX: u32 = 8600;

/// The events thanos-tmux listens to.
pub(crate) const EVENTS: [&str; 11] = [
    "client-attached",
    "client-detached",
    "session-closed",
    "session-renamed",
    "after-new-window",
    "after-split-window",
    "window-layout-changed",
    "window-renamed",
    "pane-exited",
    "pane-died",
    "after-kill-pane",
];

/// Commands that register every hook (idempotently: each sets its own slot) and turn
/// `exit-empty` off, so closing the last session fires `session-closed` instead of
/// ending the server silently. The hook command carries the binary's absolute path,
/// the server's socket and the state folder, because hooks run with the environment
/// of whoever started the server.
pub(crate) fn register(binary: &Path, state_dir: &Path, config: Option<&Path>) -> Batch {
    let mut env = format!(
        "THANOS_TMUX_STATE_DIR={}",
        target::sh_quote(&state_dir.to_string_lossy())
    );
    if let Some(config) = config {
        env.push_str(&format!(
            " THANOS_TMUX_CONFIG={}",
            target::sh_quote(&config.to_string_lossy())
        ));
    }
    let program = format!("{env} {} -q", target::sh_quote(&binary.to_string_lossy()));
    EVENTS
        .iter()
        .fold(Batch::new().keep_server_when_empty(), |batch, event| {
            batch.set_hook_calling(event, INDEX, &program)
        })
}

/// The registration for this binary and these folders, or nothing when the binary's
/// own path cannot be known.
pub(crate) fn register_current(state_dir: &Path, config: Option<&Path>) -> Batch {
    match std::env::current_exe() {
        Ok(binary) => register(&binary, state_dir, config),
        Err(_) => Batch::new(),
    }
}

/// Runs `save` once for a burst of events on one session: the first handler waits a
/// moment and saves; handlers that arrive meanwhile only mark the session dirty, and
/// the saver goes round again while it is. At most a few writes per burst.
pub(crate) fn coalesce(
    state_dir: &Path,
    session: &str,
    mut save: impl FnMut() -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let key = digest(session);
    let dir = state_dir.join("pending");
    os::create_private_dir(&dir)?;
    let lock_path = dir.join(format!("{key}.lock"));
    let dirty: PathBuf = dir.join(format!("{key}.dirty"));
    loop {
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&lock_path)?;
        // Released when `lock` is dropped.
        if !crate::os::try_lock(&lock) {
            os::write_private(&dirty, b"")?;
            return Ok(());
        }
        loop {
            std::thread::sleep(Duration::from_millis(150));
            let _ = fs::remove_file(&dirty);
            save()?;
            if !dirty.exists() {
                break;
            }
        }
        drop(lock);
        // An event that came between the last check and the unlock left a mark.
        if !dirty.exists() {
            return Ok(());
        }
    }
}

/// A file name for a session, of fixed length whatever the name holds (a name can be
/// longer than a file name may be): 128 bits of two FNV-1a hashes, as hex.
pub(crate) fn digest(name: &str) -> String {
    let fnv = |basis: u64| {
        name.bytes().fold(basis, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    format!(
        "{:016x}{:016x}",
        fnv(0xcbf2_9ce4_8422_2325),
        fnv(0x6c62_272e_07bb_0142)
    )
}

/// The session a hook is about. Only session events fill `hook_session_name`; window
/// and pane events name their session through the current target. `session-closed`
/// must not guess: its current target is some other session.
pub(crate) fn session_of<'a>(event: &str, args: &'a [String]) -> Option<&'a str> {
    match event {
        "session-closed" | "session-renamed" => arg(args, "name"),
        _ => arg(args, "name").or_else(|| arg(args, "current")),
    }
}

/// `name=…` / `id=…` arguments of a hook call.
pub(crate) fn arg<'a>(args: &'a [String], key: &str) -> Option<&'a str> {
    args.iter()
        .find_map(|a| a.strip_prefix(key)?.strip_prefix('='))
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_for_sessions_have_one_length_and_differ() {
        let long = "x".repeat(300);
        let names = ["a", "b", "@1", "😀".repeat(40).as_str(), long.as_str(), ""].map(String::from);
        let keys: Vec<String> = names.iter().map(|n| super::digest(n)).collect();
        assert!(keys.iter().all(|k| k.len() == 32));
        let mut unique = keys.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), keys.len());
    }

    use super::*;

    #[test]
    fn registration_quotes_every_outside_string() {
        let batch = register(
            Path::new("/opt/it's #1/thanos-tmux"),
            Path::new("/st$te"),
            None,
        );
        let text = format!("{batch:?}");
        assert!(text.contains("exit-empty"));
        assert!(text.contains("session-closed[8600]"));
        // sh-quoted, # doubled, and tmux-escaped ($ and " inside double quotes)
        assert!(
            text.contains(r#"'/opt/it'\\\\''s ##1/thanos-tmux'"#),
            "{text}"
        );
        assert!(text.contains(r"\\$te"), "{text}");
        assert!(text.contains("#{q:socket_path}"));
    }

    #[test]
    fn hook_args() {
        let args = vec!["name=a b".to_string(), "id=".to_string()];
        assert_eq!(arg(&args, "name"), Some("a b"));
        assert_eq!(arg(&args, "id"), None);
        let window_event = vec!["name=".to_string(), "current=api".to_string()];
        assert_eq!(session_of("after-new-window", &window_event), Some("api"));
        assert_eq!(session_of("session-closed", &window_event), None);
    }
}
