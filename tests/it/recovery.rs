//! Sessions that survive: hooks keep the state live, save, restore after a
//! crash, cleanup that tells a crash from a close. Each test runs its own tmux server.

use crate::support::{self, wait_for, Sandbox};
use serde_json::Value;
use std::time::Duration;

const PANES: &str = "#{session_name}|#{window_index}|#{window_name}|#{window_active}|#{pane_index}|#{pane_current_path}|#{pane_current_command}";

fn panes(sb: &Sandbox) -> Vec<String> {
    let mut lines: Vec<String> = sb
        .tmux_ok(&["list-panes", "-a", "-F", PANES])
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

/// Windows of a record's saved layout (empty when none was saved yet).
fn saved_windows(sb: &Sandbox, name: &str) -> Vec<Value> {
    sb.records()
        .get(name)
        .and_then(|r| r["layout"]["windows"].as_array().cloned())
        .unwrap_or_default()
}

/// Builds a session with three windows, a split, folders with odd names and a
/// running `less`, the second window active.
fn build_work(sb: &Sandbox) {
    let a = sb.mkdir("a");
    let b = sb.mkdir("b #(touch pwned) x");
    let c = sb.mkdir("c d; $(echo no)");
    sb.ok(&["attach", "-d", "work", "-c", a.to_str().unwrap()]);
    // Raw tmux expands `#(...)` in -c: the test doubles `#` as thanos-tmux does.
    let b_literal = b.to_str().unwrap().replace('#', "##");
    sb.tmux_ok(&["new-window", "-t", "=work:", "-n", "logs", "-c", &b_literal]);
    sb.tmux_ok(&[
        "split-window",
        "-t",
        "=work:logs",
        "-c",
        c.to_str().unwrap(),
    ]);
    sb.tmux_ok(&[
        "new-window",
        "-t",
        "=work:",
        "-n",
        "third",
        "-c",
        a.to_str().unwrap(),
    ]);
    sb.tmux_ok(&[
        "send-keys",
        "-t",
        "=work:logs.0",
        "less /etc/passwd",
        "Enter",
    ]);
    sb.tmux_ok(&["select-window", "-t", "=work:logs"]);
    assert!(wait_for(
        || panes(sb).iter().any(|l| l.ends_with("|less")),
        Duration::from_secs(5)
    ));
}

#[test]
fn hooks_keep_the_layout_live_without_a_save() {
    let sb = Sandbox::new();
    build_work(&sb);
    assert!(
        wait_for(
            || saved_windows(&sb, "work").len() == 3,
            Duration::from_secs(5)
        ),
        "hooks did not record the windows: {:?}",
        sb.records()
    );
    assert!(wait_for(
        || saved_windows(&sb, "work")
            .get(1)
            .is_some_and(|w| w["panes"].as_array().map_or(0, Vec::len) == 2),
        Duration::from_secs(5)
    ));
}

#[test]
fn restore_after_a_crash_rebuilds_windows_panes_and_programs() {
    let sb = Sandbox::new();
    build_work(&sb);
    sb.ok(&["save"]);
    let before = panes(&sb);
    let records = sb.records();
    assert_eq!(saved_windows(&sb, "work").len(), 3, "{records:?}");
    assert_eq!(
        saved_windows(&sb, "work")[1]["panes"][0]["command"],
        serde_json::json!(["less", "/etc/passwd"])
    );

    sb.kill_server();
    let listed: Value = serde_json::from_str(&sb.ok(&["list", "--json"])).unwrap();
    assert_eq!(listed[0]["name"], "work");
    assert_eq!(listed[0]["alive"], false);
    let out = sb.ok(&["cleanup", "--json"]);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["removed"],
        serde_json::json!([]),
        "a crash is not a close"
    );
    assert_eq!(sb.recorded(), ["work"]);

    sb.ok(&["restore"]);
    assert!(
        wait_for(|| panes(&sb) == before, Duration::from_secs(5)),
        "before:\n{before:#?}\nafter:\n{:#?}",
        panes(&sb)
    );
    assert_eq!(
        sb.session_option("work", "@thanos-managed").as_deref(),
        Some("1")
    );
    let found = sb.find("pwned");
    assert!(
        found.is_empty(),
        "a folder name was run as a command: {found:?}"
    );
}

#[test]
fn restore_leaves_live_sessions_alone_and_knows_missing_names() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "one"]);
    let out = sb.run(&["restore"]);
    assert!(out.status.success());
    assert!(
        support::stderr(&out).contains("nothing to restore"),
        "{}",
        support::describe(&out)
    );
    assert_eq!(sb.sessions(), ["one"]);
    let out = sb.run(&["restore", "never-recorded"]);
    assert_eq!(support::exit_code(&out), 4, "{}", support::describe(&out));
    support::assert_one_error_line(&out);
}

#[test]
fn first_attach_after_a_crash_restores_everything() {
    let sb = Sandbox::new();
    build_work(&sb);
    sb.ok(&["attach", "-d", "other"]);
    sb.ok(&["save"]);
    let before = panes(&sb);
    sb.kill_server();
    sb.ok(&["attach", "-d", "other"]);
    assert!(
        wait_for(|| panes(&sb) == before, Duration::from_secs(5)),
        "{:#?}",
        panes(&sb)
    );
}

#[test]
fn auto_restore_off_starts_empty() {
    let sb = Sandbox::new();
    sb.write_config("auto_restore = false\n");
    build_work(&sb);
    sb.ok(&["save"]);
    sb.kill_server();
    sb.ok(&["attach", "-d", "work"]);
    assert_eq!(
        sb.tmux_ok(&["list-windows", "-t", "=work", "-F", "#{window_index}"])
            .lines()
            .count(),
        1
    );
}

#[test]
fn two_restores_at_once_create_no_duplicates() {
    let sb = Sandbox::new();
    for name in ["a", "b", "c"] {
        sb.ok(&["attach", "-d", name]);
    }
    sb.ok(&["save"]);
    sb.kill_server();
    let children: Vec<_> = (0..2).map(|_| sb.cmd(&["restore"]).output()).collect();
    for out in children {
        let out = out.unwrap();
        assert!(out.status.success(), "{}", support::describe(&out));
    }
    assert_eq!(sb.sessions_sorted(), ["a", "b", "c"]);
}

#[test]
fn a_session_closed_on_purpose_is_forgotten_a_crash_is_not() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "keep"]);
    sb.ok(&["attach", "-d", "gone"]);
    sb.tmux_ok(&["kill-session", "-t", "=gone"]);
    assert!(
        wait_for(|| sb.recorded() == ["keep"], Duration::from_secs(5)),
        "the session-closed hook should drop a session closed on purpose: {:?}",
        sb.recorded()
    );
    // SIGTERM, as at a shutdown: tmux fires session-closed hooks while it goes.
    let pid = sb.server_pid().unwrap();
    // SAFETY: we send SIGTERM to the server of our own sandbox.
    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    assert!(wait_for(|| support::pid_gone(pid), Duration::from_secs(5)));
    std::thread::sleep(Duration::from_millis(600)); // any late hook has run by now
    assert_eq!(sb.recorded(), ["keep"], "a shutdown must not cost a record");
}

#[test]
fn closing_the_last_session_drops_it_and_ends_the_server() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "solo"]);
    assert_eq!(
        sb.tmux_ok(&["show-options", "-s", "-v", "exit-empty"])
            .trim(),
        "off"
    );
    let pid = sb.server_pid().unwrap();
    sb.tmux_ok(&["kill-session", "-t", "=solo"]);
    assert!(
        wait_for(|| sb.recorded().is_empty(), Duration::from_secs(5)),
        "{:?}",
        sb.recorded()
    );
    assert!(
        wait_for(|| support::pid_gone(pid), Duration::from_secs(5)),
        "the empty server was left running"
    );
}

#[test]
fn renamed_sessions_keep_their_record() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "before"]);
    sb.tmux_ok(&["rename-session", "-t", "=before", "after"]);
    assert!(
        wait_for(|| sb.recorded() == ["after"], Duration::from_secs(5)),
        "{:?}",
        sb.recorded()
    );
    sb.kill_server();
    sb.ok(&["restore", "after"]);
    assert_eq!(sb.sessions(), ["after"]);
}

#[test]
fn user_hooks_keep_working_and_an_overwritten_array_is_healed() {
    let sb = Sandbox::new();
    sb.start_server("mine");
    sb.tmux_ok(&[
        "set-hook",
        "-g",
        "after-new-window[0]",
        "set-option -g @user-saw yes",
    ]);
    sb.ok(&["attach", "-d", "ours"]);
    sb.tmux_ok(&["new-window", "-t", "=ours:"]);
    assert_eq!(
        sb.tmux_ok(&["show-options", "-gv", "@user-saw"]).trim(),
        "yes"
    );
    assert!(wait_for(
        || saved_windows(&sb, "ours").len() == 2,
        Duration::from_secs(5)
    ));

    // A user's `set-hook -g EVENT` without an index replaces the whole array...
    sb.tmux_ok(&[
        "set-hook",
        "-g",
        "after-new-window",
        "set-option -g @user-saw again",
    ]);
    assert!(!sb
        .tmux_ok(&["show-hooks", "-g"])
        .contains("after-new-window[8600]"));
    // ...and the next attach puts ours back.
    sb.ok(&["attach", "-d", "third"]);
    let hooks = sb.tmux_ok(&["show-hooks", "-g"]);
    assert!(hooks.contains("after-new-window[8600]"), "{hooks}");
    assert!(hooks.contains("after-new-window[0]"), "{hooks}");
}

#[test]
fn a_save_never_destroys_a_good_record() {
    let sb = Sandbox::new();
    build_work(&sb);
    for extra in ["x", "y", "z"] {
        sb.ok(&["attach", "-d", extra]);
    }
    sb.ok(&["save"]);
    let good = saved_windows(&sb, "work");
    sb.kill_server();
    let out = sb.run(&["save"]);
    assert!(out.status.success(), "{}", support::describe(&out));
    assert_eq!(saved_windows(&sb, "work"), good);
    for n in 1..=3 {
        assert!(
            sb.state_dir().join(format!("sessions.json.{n}")).exists(),
            "generation {n} missing"
        );
    }
}

#[test]
fn save_makes_plain_tmux_sessions_managed() {
    let sb = Sandbox::new();
    sb.start_server("plain");
    assert!(sb.recorded().is_empty());
    sb.ok(&["save"]);
    assert_eq!(sb.recorded(), ["plain"]);
    let listed: Value = serde_json::from_str(&sb.ok(&["list", "--json"])).unwrap();
    assert_eq!(listed[0]["managed"], true);
}

#[test]
fn forget_drops_records_on_purpose() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "x"]);
    sb.kill_server();
    sb.ok(&["forget", "x"]);
    assert!(sb.recorded().is_empty());
    assert_eq!(sb.code(&["forget", "x"]), 4);
}
