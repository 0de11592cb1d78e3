//! Fault injection, by theme: the state file under writers
//! killed with SIGKILL and under hand edits (`state_file`), a read-only and a full state
//! folder (`state_folder`), the tmux server killed in the middle of a restore
//! (`tmux_server`). The helpers they share are here.
//!
//! Every process these tests kill is one they spawned, by its pid.

use crate::support::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

mod state_file;
mod state_folder;
mod tmux_server;

/// SIGKILL to a child this test spawned and has not reaped yet (so the pid cannot have
/// been reused by another process).
fn sigkill(pid: u32) {
    // SAFETY: kill(2) on a pid we own; a zombie ignores it.
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGKILL);
    }
}

/// Why the state file at `path` is not a valid state (None when it is).
fn state_problem(path: &Path) -> Option<String> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => return Some(format!("cannot read {}: {e}", path.display())),
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Err(e) => Some(format!(
            "{} does not parse ({e}): {:?}",
            path.display(),
            String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
        )),
        Ok(v) if v["version"] != 1 || !v["servers"].is_object() => {
            Some(format!("{} is not a version-1 state: {v}", path.display()))
        }
        Ok(_) => None,
    }
}

/// The `.sessions.json.tmp.*` files left in the state folder.
fn tmp_litter(sb: &Sandbox) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(sb.state_dir()) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".sessions.json.tmp."))
        })
        .collect()
}

/// Window names per session of the sandbox server, in window order.
fn windows_by_session(sb: &Sandbox) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if !sb.server_running() {
        return out;
    }
    let text = sb.tmux_ok(&[
        "list-windows",
        "-a",
        "-F",
        "#{q:session_name}|#{q:window_name}>",
    ]);
    for f in records(&text) {
        out.entry(f[0].clone()).or_default().push(f[1].clone());
    }
    out
}
