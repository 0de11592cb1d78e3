//! Many terminals at once: 20 attaches at the same moment end in one session,
//! none sees an error, and the state file loses nothing.

use crate::support::*;
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Barrier};

/// Runs the binary once per argument list, all released at the same moment.
fn run_together(sb: &Sandbox, dir: &Path, runs: Vec<Vec<String>>) -> Vec<Output> {
    let barrier = Arc::new(Barrier::new(runs.len()));
    std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .into_iter()
            .map(|args| {
                let mut cmd = sb.cmd_in(dir, &args);
                let barrier = Arc::clone(&barrier);
                scope.spawn(move || {
                    barrier.wait();
                    cmd.output().expect("run thanos-tmux")
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn assert_one_created(outs: &[Output], name: &str) {
    let mut created = 0;
    for out in outs {
        assert_eq!(exit_code(out), 0, "{}", describe(out));
        let err = stderr(out);
        if err == format!("thanos-tmux: created {name}\n") {
            created += 1;
        } else {
            assert_eq!(
                err,
                format!("thanos-tmux: exists: {name}\n"),
                "{}",
                describe(out)
            );
        }
    }
    assert_eq!(created, 1, "exactly one process creates the session");
}

#[test]
fn twenty_attaches_for_one_folder_with_no_server_yet() {
    let sb = Sandbox::new();
    let repo = sb.git_repo("code/proj");
    let runs = vec![vec!["attach".to_string(), "--detached".to_string()]; 20];
    let outs = run_together(&sb, &repo, runs);
    assert_one_created(&outs, "proj");
    assert_eq!(sb.sessions(), ["proj"]);
    assert_eq!(sb.recorded(), ["proj"]);
    assert_eq!(sb.records()["proj"]["start_dir"], repo.to_str().unwrap());
    // The record knows its server, so a later cleanup can tell a close from a crash.
    assert_eq!(
        sb.records()["proj"]["server"]["pid"]
            .as_u64()
            .map(|p| p as u32),
        sb.server_pid()
    );
}

#[test]
fn twenty_attaches_for_one_folder_on_a_running_server() {
    let sb = Sandbox::new();
    sb.start_server("other");
    let runs = vec![vec!["-d".to_string()]; 20];
    let outs = run_together(&sb, &sb.home, runs);
    assert_one_created(&outs, "thanos-main");
    assert_eq!(sb.sessions_sorted(), ["other", "thanos-main"]);
    assert_eq!(sb.recorded(), ["thanos-main"]);
}

#[test]
fn twenty_different_sessions_at_once_lose_no_record() {
    let sb = Sandbox::new();
    let names: Vec<String> = (0..20).map(|i| format!("s{i:02}")).collect();
    let runs = names
        .iter()
        .map(|n| vec!["attach".to_string(), "-d".to_string(), n.clone()])
        .collect();
    let outs = run_together(&sb, &sb.home, runs);
    for (out, name) in outs.iter().zip(&names) {
        assert_eq!(exit_code(out), 0, "{}", describe(out));
        assert_eq!(stderr(out), format!("thanos-tmux: created {name}\n"));
    }
    assert_eq!(sb.sessions_sorted(), names);
    assert_eq!(sb.recorded(), names);
}

#[test]
fn concurrent_kills_and_forgets_lose_no_other_record() {
    let sb = Sandbox::new();
    let names: Vec<String> = (0..12).map(|i| format!("k{i:02}")).collect();
    for name in &names {
        sb.ok(&["attach", "-d", name]);
    }
    // Half are killed and a quarter forgotten, all at once; the rest must survive.
    let mut runs = Vec::new();
    for name in &names[..6] {
        runs.push(vec!["kill".into(), "--yes".into(), name.clone()]);
    }
    for name in &names[6..9] {
        runs.push(vec!["forget".into(), name.clone()]);
    }
    for _ in 0..3 {
        runs.push(vec!["list".into(), "--json".into()]);
    }
    let outs = run_together(&sb, &sb.home, runs);
    for out in &outs {
        assert_eq!(exit_code(out), 0, "{}", describe(out));
    }
    assert_eq!(sb.sessions_sorted(), names[6..].to_vec());
    assert_eq!(sb.recorded(), names[9..].to_vec());
}
