//! `kill`, `cleanup` and `forget`: exact targets, the terminal rule, and
//! "crash is not close": only a session closed on purpose loses its record.

use crate::support::*;
use serde_json::Value;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// Closes a session with raw tmux while no thanos-tmux handler can see it: the user's
/// own `set-hook -g session-closed ...` (no index) replaced the whole hook array, ours
/// included. Then only `cleanup` can tell that the session was closed on purpose.
fn close_unseen(sb: &Sandbox, name: &str) {
    sb.tmux_ok(&["set-hook", "-g", "session-closed", "run-shell true"]);
    sb.tmux_ok(&["kill-session", "-t", &format!("={name}")]);
}

fn kept_names(report: &Value) -> Vec<String> {
    let mut names: Vec<String> = report["kept"]
        .as_array()
        .expect("kept array")
        .iter()
        .map(|k| k["name"].as_str().expect("kept name").to_string())
        .collect();
    names.sort();
    names
}

fn removed_names(report: &Value) -> Vec<String> {
    let mut names: Vec<String> = report["removed"]
        .as_array()
        .expect("removed array")
        .iter()
        .map(|n| n.as_str().expect("removed name").to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn kill_hits_exactly_the_named_session() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "thanos-dev"]);
    sb.ok(&["attach", "-d", "thanos-dev2"]);
    let out = sb.run(&["kill", "thanos-dev", "--yes"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(sb.sessions(), ["thanos-dev2"]);
    assert_eq!(sb.recorded(), ["thanos-dev2"]);
}

#[test]
fn kill_understands_aliases_and_several_names() {
    let sb = Sandbox::new();
    for name in ["dev", "monitor", "keep"] {
        sb.ok(&["attach", "-d", name]);
    }
    assert_eq!(
        sb.sessions_sorted(),
        ["keep", "thanos-dev", "thanos-monitor"]
    );
    sb.ok(&["kill", "-y", "dev", "thanos-monitor"]);
    assert_eq!(sb.sessions(), ["keep"]);
    assert_eq!(sb.recorded(), ["keep"]);
}

#[test]
fn kill_without_a_terminal_and_without_yes_refuses() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "work"]);
    let out = sb.run(&["kill", "work"]);
    assert_eq!(exit_code(&out), 1, "{}", describe(&out));
    assert_one_error_line(&out);
    assert!(stderr(&out).contains("--yes"), "{}", describe(&out));
    assert_eq!(sb.sessions(), ["work"]);
    assert_eq!(sb.recorded(), ["work"]);
}

#[test]
fn kill_of_a_missing_session_exits_4() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "work"]);
    let out = sb.run(&["kill", "missing", "--yes"]);
    assert_eq!(exit_code(&out), 4, "{}", describe(&out));
    assert_one_error_line(&out);
    assert!(stderr(&out).contains("missing"), "{}", describe(&out));
    // A prefix of a live session is not that session.
    let out = sb.run(&["kill", "wor", "--yes"]);
    assert_eq!(exit_code(&out), 4, "{}", describe(&out));
    assert_eq!(sb.sessions(), ["work"]);
    // No server at all: still "no such session".
    sb.kill_server();
    let out = sb.run(&["kill", "work", "--yes"]);
    assert_eq!(exit_code(&out), 4, "{}", describe(&out));
    assert_one_error_line(&out);
}

#[test]
fn killing_the_last_session_is_success() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "only"]);
    let out = sb.run(&["kill", "only", "--yes"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert!(sb.sessions().is_empty());
    assert!(sb.recorded().is_empty());
}

#[test]
fn a_server_crash_keeps_the_records() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "alpha"]);
    sb.ok(&["attach", "-d", "beta"]);
    sb.kill_server();

    // (a) server down: cleanup keeps everything, list shows it as not alive.
    let out = sb.run(&["cleanup"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(sb.recorded(), ["alpha", "beta"]);
    let list = json(&sb.ok(&["list", "--json"]));
    for entry in list.as_array().unwrap() {
        assert_eq!(entry["alive"], false, "{entry:#}");
    }
    let report = json(&sb.ok(&["cleanup", "--json"]));
    assert_eq!(removed_names(&report), Vec::<String>::new());
    assert_eq!(kept_names(&report), ["alpha", "beta"]);
    for kept in report["kept"].as_array().unwrap() {
        let reason = kept["reason"].as_str().expect("reason string");
        assert!(!reason.is_empty(), "{report:#}");
    }
    assert!(!sb.server_running(), "cleanup started a server");

    // (b) a new server (another pid and start time) without them: still kept.
    sb.start_server("other");
    let report = json(&sb.ok(&["cleanup", "--json"]));
    assert_eq!(removed_names(&report), Vec::<String>::new(), "{report:#}");
    assert_eq!(kept_names(&report), ["alpha", "beta"], "{report:#}");
    sb.ok(&["cleanup"]);
    assert_eq!(sb.recorded(), ["alpha", "beta"]);
}

#[test]
fn a_session_closed_on_purpose_is_cleaned_up() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "gone"]);
    sb.ok(&["attach", "-d", "stays"]);
    // Closed behind our back, while the very same server keeps running.
    close_unseen(&sb, "gone");
    assert_eq!(sb.sessions(), ["stays"]);

    let report = json(&sb.ok(&["cleanup", "--dry-run", "--json"]));
    assert_eq!(removed_names(&report), ["gone"], "{report:#}");
    assert_eq!(kept_names(&report), Vec::<String>::new(), "{report:#}");
    assert_eq!(
        sb.recorded(),
        ["gone", "stays"],
        "--dry-run removed something"
    );

    let out = sb.run(&["cleanup", "--dry-run"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert!(stdout(&out).contains("gone"), "{}", describe(&out));
    assert_eq!(
        sb.recorded(),
        ["gone", "stays"],
        "--dry-run removed something"
    );

    let out = sb.run(&["cleanup"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert!(stdout(&out).contains("gone"), "{}", describe(&out));
    assert_eq!(sb.recorded(), ["stays"]);
    // Nothing left to do.
    let report = json(&sb.ok(&["cleanup", "--json"]));
    assert_eq!(report, serde_json::json!({"removed": [], "kept": []}));
}

#[test]
fn a_crash_then_a_close_on_the_new_server_is_told_apart() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "crashed"]);
    sb.kill_server();
    // A new server started outside thanos-tmux (so no auto-restore brings `crashed`
    // back); on it, `fresh` is created and closed on purpose.
    sb.start_server("anchor");
    sb.ok(&["attach", "-d", "fresh"]);
    assert_eq!(sb.sessions_sorted(), ["anchor", "fresh"]);
    close_unseen(&sb, "fresh");
    let report = json(&sb.ok(&["cleanup", "--json"]));
    assert_eq!(removed_names(&report), ["fresh"], "{report:#}");
    assert_eq!(kept_names(&report), ["crashed"], "{report:#}");
    assert_eq!(sb.recorded(), ["crashed"]);
}

#[test]
fn forget_drops_records_and_leaves_tmux_alone() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "alpha"]);
    sb.ok(&["attach", "-d", "beta"]);
    let out = sb.run(&["forget", "alpha"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(sb.recorded(), ["beta"]);
    assert_eq!(
        sb.sessions_sorted(),
        ["alpha", "beta"],
        "forget touched tmux"
    );

    let out = sb.run(&["forget", "missing"]);
    assert_eq!(exit_code(&out), 4, "{}", describe(&out));
    assert_one_error_line(&out);
    assert!(stderr(&out).contains("missing"), "{}", describe(&out));
    assert_eq!(sb.recorded(), ["beta"]);
}

#[test]
fn forget_dead_drops_every_record_tmux_lost() {
    let sb = Sandbox::new();
    for name in ["alpha", "beta", "gamma"] {
        sb.ok(&["attach", "-d", name]);
    }
    sb.kill_server();
    // A server started outside thanos-tmux, then `beta` alone is brought back.
    sb.start_server("plain");
    sb.ok(&["attach", "-d", "beta"]);
    assert_eq!(sb.sessions_sorted(), ["beta", "plain"]);
    let out = sb.run(&["forget", "--dead"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(sb.recorded(), ["beta"]);
    assert_eq!(
        sb.sessions_sorted(),
        ["beta", "plain"],
        "forget touched tmux"
    );

    // With no server, every record is dead.
    sb.kill_server();
    sb.ok(&["forget", "--dead"]);
    assert!(sb.recorded().is_empty());
    assert!(!sb.server_running(), "forget started a server");
}

#[test]
fn forget_without_names_or_dead_is_a_usage_error() {
    let sb = Sandbox::new();
    assert_eq!(sb.code(&["forget"]), 2);
}

#[test]
fn after_a_crash_the_first_attach_brings_every_recorded_session_back() {
    let sb = Sandbox::new();
    let a = sb.mkdir("a");
    let b = sb.mkdir("b dir #(touch pwned)");
    sb.ok(&["attach", "-d", "-c", a.to_str().unwrap(), "alpha"]);
    sb.ok(&["attach", "-d", "-c", b.to_str().unwrap(), "beta"]);
    sb.kill_server();
    let out = sb.run(&["attach", "-d", "alpha"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(sb.sessions_sorted(), ["alpha", "beta"]);
    assert_eq!(sb.session_path("alpha").as_deref(), a.to_str());
    assert_eq!(sb.session_path("beta").as_deref(), b.to_str());
    assert_eq!(sb.recorded(), ["alpha", "beta"]);
    // They are the new server's now: closing one on purpose is cleaned up.
    close_unseen(&sb, "beta");
    let report = json(&sb.ok(&["cleanup", "--json"]));
    assert_eq!(removed_names(&report), ["beta"], "{report:#}");
    assert!(sb.find("pwned").is_empty());
}

#[test]
fn with_auto_restore_off_only_the_named_session_comes_back() {
    let sb = Sandbox::new();
    sb.write_config("auto_restore = false\n");
    sb.ok(&["attach", "-d", "alpha"]);
    sb.ok(&["attach", "-d", "beta"]);
    sb.kill_server();
    sb.ok(&["attach", "-d", "alpha"]);
    assert_eq!(sb.sessions(), ["alpha"]);
    // beta stays recorded, restorable later.
    assert_eq!(sb.recorded(), ["alpha", "beta"]);
    assert_eq!(sb.ok(&["list", "--names", "--dead"]), "beta\n");
}

#[test]
fn closing_a_session_in_tmux_drops_its_record_by_itself() {
    // The session-closed hook applies the cleanup rule at once.
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "gone"]);
    sb.ok(&["attach", "-d", "stays"]);
    sb.tmux_ok(&["kill-session", "-t", "=gone"]);
    let dropped = wait_for(
        || sb.recorded() == ["stays"],
        std::time::Duration::from_secs(5),
    );
    assert!(dropped, "records: {:?}", sb.recorded());
    assert_eq!(sb.sessions(), ["stays"]);
}
