//! `list` (table, `--json`, `--names`, `--names --dead`) and `status --json`: shapes
//! and types exactly, and what a user sees with no server.

use crate::support::*;
use serde_json::Value;
use std::io::Read;
use std::process::Stdio;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn by_name<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .expect("an array")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {list:#}"))
}

/// The fields of a `list --json` entry, sorted.
const LIST_FIELDS: [&str; 8] = [
    "alive",
    "attached",
    "created",
    "last_attached",
    "managed",
    "name",
    "start_dir",
    "windows",
];

/// Asserts the exact field set and types of one `list --json` entry.
fn assert_list_entry_shape(entry: &Value) {
    let obj = entry.as_object().expect("an object");
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, LIST_FIELDS, "{entry:#}");
    assert!(obj["name"].is_string(), "{entry:#}");
    assert!(obj["windows"].is_u64(), "{entry:#}");
    assert!(obj["attached"].is_u64(), "{entry:#}");
    assert!(obj["created"].is_i64(), "{entry:#}");
    assert!(
        obj["last_attached"].is_null() || obj["last_attached"].is_i64(),
        "{entry:#}"
    );
    assert!(
        obj["start_dir"].is_null() || obj["start_dir"].is_string(),
        "{entry:#}"
    );
    assert!(obj["managed"].is_boolean(), "{entry:#}");
    assert!(obj["alive"].is_boolean(), "{entry:#}");
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn list_with_nothing_anywhere_exits_0_and_starts_no_server() {
    let sb = Sandbox::new();
    let out = sb.run(&["list"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(sb.ok(&["list", "--json"]).trim(), "[]");
    assert_eq!(sb.ok(&["list", "--names"]), "");
    assert_eq!(sb.ok(&["list", "--names", "--dead"]), "");
    assert!(!sb.server_running(), "list started a server");
}

#[test]
fn list_with_no_server_shows_recorded_sessions_as_not_alive() {
    let sb = Sandbox::new();
    let proj = sb.git_repo("code/proj");
    sb.ok(&["attach", "-d"]);
    sb.ok_in(&proj, &["attach", "-d"]);
    sb.kill_server();

    let out = sb.run(&["list"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "header and two rows:\n{text}");
    assert!(lines[0].starts_with("NAME"), "{text}");
    assert!(lines[1].starts_with("proj "), "{text}");
    assert!(lines[2].starts_with("thanos-main "), "{text}");
    for line in &lines[1..] {
        assert!(line.contains("not alive"), "{text}");
    }
    assert!(lines[1].contains("~/code/proj"), "{text}");
    assert!(!text.contains('\x1b'), "colour on a pipe:\n{text}");

    let list = json(&sb.ok(&["list", "--json"]));
    assert_eq!(list.as_array().unwrap().len(), 2);
    for entry in list.as_array().unwrap() {
        assert_list_entry_shape(entry);
        assert_eq!(entry["alive"], false);
        assert_eq!(entry["managed"], true);
        assert_eq!(entry["attached"], 0);
    }
    assert_eq!(by_name(&list, "proj")["start_dir"], proj.to_str().unwrap());
    assert!(!sb.server_running(), "list started a server");
}

#[test]
fn list_json_fields_and_types_match_the_spec() {
    let sb = Sandbox::new();
    let before = now();
    sb.ok(&["attach", "-d", "ours"]);
    sb.tmux_ok(&["new-session", "-d", "-s", "plain", "-c", "/"]);
    sb.tmux_ok(&["new-window", "-t", "=plain:"]);
    let list = json(&sb.ok(&["list", "--json"]));
    let entries = list.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{list:#}");
    for entry in entries {
        assert_list_entry_shape(entry);
    }
    let ours = by_name(&list, "ours");
    assert_eq!(ours["alive"], true);
    assert_eq!(ours["managed"], true);
    assert_eq!(ours["windows"], 1);
    assert_eq!(ours["attached"], 0);
    assert_eq!(ours["start_dir"], sb.home.to_str().unwrap());
    let created = ours["created"].as_i64().unwrap();
    assert!(
        created >= before - 2 && created <= now() + 2,
        "created {created} is not about now ({before})"
    );
    let plain = by_name(&list, "plain");
    assert_eq!(plain["alive"], true);
    assert_eq!(plain["managed"], false);
    assert_eq!(plain["windows"], 2);
    assert_eq!(plain["start_dir"], "/");
    // Sorted by name, as the table.
    assert_eq!(entries[0]["name"], "ours");
    assert_eq!(entries[1]["name"], "plain");
}

#[test]
fn names_prints_live_names_and_dead_prints_recorded_ones_tmux_lost() {
    let sb = Sandbox::new();
    for name in ["alpha", "beta", "gamma"] {
        sb.ok(&["attach", "-d", name]);
    }
    sb.kill_server();
    assert_eq!(sb.ok(&["list", "--names"]), "");
    assert_eq!(
        sb.ok(&["list", "--names", "--dead"]),
        "alpha\nbeta\ngamma\n"
    );
    // A new server: `beta` is back, `plain` was never recorded.
    sb.start_server("plain");
    sb.ok(&["attach", "-d", "beta"]);
    let mut live: Vec<String> = sb
        .ok(&["list", "--names"])
        .lines()
        .map(String::from)
        .collect();
    live.sort();
    assert_eq!(live, ["beta", "plain"]);
    assert_eq!(sb.ok(&["list", "--names", "--dead"]), "alpha\ngamma\n");
}

#[test]
fn dead_without_names_is_a_usage_error() {
    let sb = Sandbox::new();
    assert_eq!(sb.code(&["list", "--dead"]), 2);
    assert_eq!(sb.code(&["list", "--json", "--names"]), 2);
}

#[test]
fn list_into_a_closed_pipe_exits_quietly() {
    let sb = Sandbox::new();
    // Enough output that it cannot all be written before the reader is gone.
    for i in 0..40 {
        sb.ok(&["attach", "-d", &format!("session-{i:02}")]);
    }
    for args in [
        vec!["list"],
        vec!["list", "--json"],
        vec!["list", "--names"],
        vec!["status", "--json"],
    ] {
        let mut child = sb
            .cmd(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the read end at once: like `| head -0`, the reader is gone.
        drop(child.stdout.take());
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = child.wait().unwrap();
        let out = std::process::Output {
            status,
            stdout: Vec::new(),
            stderr: err.clone().into_bytes(),
        };
        let code = exit_code(&out);
        assert!(
            code == 0 || code == 128 + libc::SIGPIPE,
            "{args:?}: {}",
            describe(&out)
        );
        assert!(
            !err.to_lowercase().contains("broken pipe") && err.is_empty(),
            "{args:?} complained: {}",
            describe(&out)
        );
    }
    // And the plain shell idiom.
    let script = format!(
        "{} list --names | head -1",
        sh_quote(&bin().to_string_lossy())
    );
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .env_clear()
        .envs(sb.env())
        .current_dir(&sb.home)
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "session-00\n", "{}", describe(&out));
    assert_eq!(stderr(&out), "", "{}", describe(&out));
}

#[test]
fn status_json_shape() {
    let sb = Sandbox::new();
    // No server yet.
    let status = json(&sb.ok(&["status", "--json"]));
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&status),
        ["auto_attach", "daemons", "sessions", "state", "tmux"]
    );
    assert_eq!(status["auto_attach"]["paused_until"], Value::Null);
    assert_eq!(
        keys(&status["tmux"]),
        ["available", "server_running", "socket", "version"]
    );
    assert_eq!(keys(&status["state"]), ["ok", "path", "sessions"]);
    assert_eq!(status["tmux"]["available"], true);
    let version = status["tmux"]["version"].as_str().expect("version string");
    let tmux = std::process::Command::new("tmux")
        .arg("-V")
        .output()
        .unwrap();
    assert_eq!(format!("tmux {version}"), stdout(&tmux).trim());
    assert_eq!(status["tmux"]["server_running"], false);
    assert_eq!(status["tmux"]["socket"], sb.socket_path().to_str().unwrap());
    assert_eq!(status["state"]["path"], sb.state_file().to_str().unwrap());
    assert_eq!(status["state"]["ok"], true);
    assert_eq!(status["state"]["sessions"], 0);
    assert_eq!(status["sessions"], serde_json::json!([]));
    assert!(status["daemons"].is_array());
    assert!(!sb.server_running(), "status started a server");

    // With a server, one managed session and one plain one.
    sb.ok(&["attach", "-d", "ours"]);
    sb.tmux_ok(&["new-session", "-d", "-s", "plain"]);
    let status = json(&sb.ok(&["status", "--json"]));
    assert_eq!(status["tmux"]["server_running"], true);
    assert_eq!(status["state"]["sessions"], 1);
    let sessions = status["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{status:#}");
    for s in sessions {
        let mut k = keys(s);
        k.retain(|k| !["processes", "cpu_percent", "memory_bytes"].contains(&k.as_str()));
        assert_eq!(k, LIST_FIELDS);
    }
}

#[test]
fn status_json_sessions_carry_process_figures() {
    // `sessions` as `list`, plus `processes` (int), `cpu_percent` (number) and
    // `memory_bytes` (int) summed over the processes of the session's panes.
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "ours"]);
    sb.tmux_ok(&["split-window", "-t", "=ours:"]);
    let status = json(&sb.ok(&["status", "--json"]));
    let s = &status["sessions"][0];
    assert_eq!(s["name"], "ours", "{status:#}");
    // Two panes, each a shell: at least two processes, some memory.
    assert!(s["processes"].as_u64().is_some_and(|n| n >= 2), "{s:#}");
    assert!(s["cpu_percent"].is_number(), "{s:#}");
    assert!(s["memory_bytes"].as_u64().is_some_and(|n| n > 0), "{s:#}");
}

#[test]
fn status_human_opens_with_a_banner_on_stderr() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "ours"]);
    let out = sb.run(&["status"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", describe(&out));
    assert!(stderr(&out).contains("thanos-tmux"), "{}", describe(&out));
    assert!(stdout(&out).contains("ours"), "{}", describe(&out));
}
