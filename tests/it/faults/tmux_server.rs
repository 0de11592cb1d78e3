//! The tmux server killed (SIGKILL) in the middle of a restore: the records survive and
//! a second restore finishes the job without duplicates.

use super::{sigkill, windows_by_session};
use crate::support::*;
use std::collections::BTreeSet;
use std::fs;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The pid of the sandbox's tmux server, found in /proc without asking tmux: a server
/// busy with a long batched call answers no other client until it is done, so asking
/// it would only ever see the restore finished.
fn server_pid_from_proc(sb: &Sandbox) -> Option<u32> {
    let wanted = format!("TMUX_TMPDIR={}\0", sb.tmux_tmpdir.display());
    for entry in fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let is_server = fs::read_to_string(entry.path().join("comm"))
            .is_ok_and(|c| c.trim_end() == "tmux: server");
        if !is_server || pid_gone(pid) {
            continue;
        }
        let environ = fs::read(entry.path().join("environ")).unwrap_or_default();
        if String::from_utf8_lossy(&environ).contains(&wanted) {
            return Some(pid);
        }
    }
    None
}

const SESSIONS: usize = 30;

fn session_names() -> Vec<String> {
    (0..SESSIONS).map(|i| format!("r{i:02}")).collect()
}

/// 30 sessions of 3 windows (`one`, `two`, `three`), created through the binary and
/// recorded with `save`. Their folder has a long name, so that the restore needs more
/// than one batched tmux call (a crash can then also fall between two calls).
fn build_thirty_by_three(sb: &Sandbox) {
    let names = session_names();
    let dir = sb.mkdir(format!("work {}", "long-folder-name-".repeat(11)));
    let dir = dir.to_string_lossy().into_owned();
    for name in &names {
        sb.ok(&["attach", "-d", name, "-c", &dir]);
    }
    let mut args: Vec<String> = Vec::new();
    for name in &names {
        let target = format!("={name}:");
        args.extend(["rename-window", "-t", &target, "one", ";"].map(String::from));
        for window in ["two", "three"] {
            args.extend(
                [
                    "new-window",
                    "-d",
                    "-t",
                    &target,
                    "-n",
                    window,
                    "-c",
                    &dir,
                    ";",
                ]
                .map(String::from),
            );
        }
    }
    args.pop();
    sb.tmux_ok(&args);
    sb.ok(&["save"]);
    for name in &names {
        let windows = sb.records()[name]["layout"]["windows"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(windows, 3, "{name} was saved with {windows} windows");
    }
}

/// Every recorded session exists once with its three windows, and nothing else does.
fn assert_restored_exactly(sb: &Sandbox, when: &str) {
    let names = session_names();
    let mut live = sb.sessions();
    live.sort();
    let unique: BTreeSet<&String> = live.iter().collect();
    assert_eq!(
        unique.len(),
        live.len(),
        "{when}: duplicate sessions {live:?}"
    );
    assert_eq!(live, names, "{when}: sessions");
    assert_eq!(sb.recorded(), names, "{when}: records");
    let windows = windows_by_session(sb);
    let wrong: Vec<String> = windows
        .iter()
        .filter(|(_, w)| *w != &["one", "two", "three"])
        .map(|(s, w)| format!("{s}: {w:?}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "{when}: {} of {} sessions do not have exactly their windows one, two, three:\n{}",
        wrong.len(),
        names.len(),
        wrong[..wrong.len().min(4)].join("\n")
    );
}

#[test]
fn restore_of_thirty_sessions_of_three_windows_rebuilds_each_exactly() {
    // The control for the crash test below: without a fault, one restore is exact.
    let sb = Sandbox::new();
    build_thirty_by_three(&sb);
    sb.crash_server();
    let started = Instant::now();
    sb.ok(&["restore"]);
    println!("restore of 30x3: {} ms", started.elapsed().as_millis());
    assert_restored_exactly(&sb, "after one restore");
}

#[test]
fn tmux_killed_in_the_middle_of_restore_then_a_second_restore_finishes_without_duplicates() {
    let sb = Sandbox::new();
    build_thirty_by_three(&sb);
    // Kill delays after the new server's pid appears; a round where the restore won the
    // race is retried with the next delay.
    let delays_ms = [0u64, 40, 100, 20, 160, 70, 5, 250, 130, 10, 60, 200];
    let mut interrupted = 0;
    let mut rounds = 0;
    for delay in delays_ms {
        if interrupted >= 4 {
            break;
        }
        rounds += 1;
        sb.crash_server();
        let restore = sb
            .cmd(&["restore"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn restore");
        // Polled every millisecond: the whole restore takes a few hundred.
        let polling = Instant::now();
        let pid = loop {
            if let Some(pid) = server_pid_from_proc(&sb) {
                break pid;
            }
            assert!(
                polling.elapsed() < Duration::from_secs(10),
                "restore never started a server"
            );
            std::thread::sleep(Duration::from_millis(1));
        };
        std::thread::sleep(Duration::from_millis(delay));
        sigkill(pid);
        let out = restore.wait_with_output().unwrap();
        assert!(wait_for(|| pid_gone(pid), Duration::from_secs(5)));
        let err = stderr(&out);
        assert!(
            !err.contains("panicked"),
            "restore panicked:\n{}",
            describe(&out)
        );
        if out.status.success() {
            println!("round {rounds} (kill after {delay} ms): the restore finished first");
            continue;
        }
        interrupted += 1;
        assert_one_error_line(&out);
        let survivors = sb.sessions().len();
        println!(
            "round {rounds} (kill after {delay} ms): restore interrupted (exit {}: {}), \
             {survivors} sessions on a server started after the kill",
            exit_code(&out),
            err.trim()
        );
        // The records survive the crash, and the second restore finishes the job.
        assert_eq!(sb.recorded(), session_names(), "records after the crash");
        let second = sb.run(&["restore"]);
        assert_eq!(exit_code(&second), 0, "{}", describe(&second));
        assert_restored_exactly(&sb, &format!("round {rounds}, after the second restore"));
        // And a third changes nothing.
        sb.ok(&["restore"]);
        assert_restored_exactly(&sb, &format!("round {rounds}, after a third restore"));
    }
    println!("restore crash: {interrupted} interrupted restores in {rounds} rounds");
    assert!(
        interrupted >= 1,
        "the restore always finished before the kill"
    );
}
