//! Hostile folder and session names: taken literally or sanitised, never
//! evaluated — not by a shell, not by tmux's format expansion.

use crate::support::*;
use std::time::Duration;

/// Folder names and the session name a repository of that name gets.
fn hostile_folders() -> Vec<(String, String)> {
    vec![
        ("with space".into(), "with-space".into()),
        ("it's \"quoted\"".into(), "it-s-quoted-".into()),
        ("$(touch pwned1)".into(), "touch-pwned1-".into()),
        ("`touch pwned2`".into(), "touch-pwned2-".into()),
        ("a;touch pwned3".into(), "a-touch-pwned3".into()),
        ("trailing;".into(), "trailing-".into()),
        ("#(touch pwned4)".into(), "touch-pwned4-".into()),
        ("#{session_name}".into(), "session_name-".into()),
        (
            "x #(touch pwned5) #{pane_id}".into(),
            "x-touch-pwned5-pane_id-".into(),
        ),
        ("naïve café ☕".into(), "na-ve-caf-".into()),
        ("-dash".into(), "dash".into()),
        ("=eq".into(), "eq".into()),
        ("dots.and:colons".into(), "dots-and-colons".into()),
        ("y".repeat(200), "y".repeat(64)),
    ]
}

/// After tmux had a chance to run any `#(...)` job, nothing named `pwned*` exists.
fn assert_nothing_ran(sb: &Sandbox) {
    // A format job runs asynchronously; give it time to show up (the positive control
    // in tests/it/fixture.rs shows this is long enough to catch it).
    let appeared = wait_for(|| !sb.find("pwned").is_empty(), Duration::from_millis(700));
    assert!(!appeared, "something was executed: {:?}", sb.find("pwned"));
}

#[test]
fn hostile_start_folders_are_used_exactly_and_never_run() {
    let sb = Sandbox::new();
    let mut expected = Vec::new();
    for (i, (folder, _)) in hostile_folders().into_iter().enumerate() {
        let dir = sb.mkdir(format!("dirs/{folder}"));
        let name = format!("h{i}");
        let out = sb.run(&["attach", "-d", "-c", dir.to_str().unwrap(), &name]);
        assert_eq!(exit_code(&out), 0, "{folder:?}: {}", describe(&out));
        expected.push((name, dir));
    }
    for (name, dir) in &expected {
        assert_eq!(
            sb.session_path(name).as_deref(),
            dir.to_str(),
            "session_path of {name}"
        );
        assert_eq!(sb.records()[name]["start_dir"], dir.to_str().unwrap());
    }
    assert_eq!(sb.sessions().len(), expected.len());
    assert_nothing_ran(&sb);
}

#[test]
fn repositories_with_hostile_names_get_sanitised_session_names() {
    let sb = Sandbox::new();
    let mut expected = Vec::new();
    for (i, (folder, name)) in hostile_folders().into_iter().enumerate() {
        // One parent per repository, so that no two collide after sanitising.
        let repo = sb.git_repo(format!("r{i}/{folder}"));
        let sub = sb.mkdir(format!("r{i}/{folder}/sub dir"));
        assert_eq!(sb.ok_in(&sub, &["name"]), format!("{name}\n"), "{folder:?}");
        let out = sb.run_in(&sub, &["attach", "-d"]);
        assert_eq!(exit_code(&out), 0, "{folder:?}: {}", describe(&out));
        expected.push((name, repo));
    }
    let mut want: Vec<String> = expected.iter().map(|(n, _)| n.clone()).collect();
    want.sort();
    assert_eq!(sb.sessions_sorted(), want);
    for (name, repo) in &expected {
        assert_eq!(sb.session_path(name).as_deref(), repo.to_str(), "{name}");
    }
    assert_nothing_ran(&sb);
}

#[test]
fn a_folder_with_a_newline_is_only_a_folder() {
    let sb = Sandbox::new();
    let dir = sb.mkdir("two\nlines #(touch pwned6)");
    sb.ok(&["attach", "-d", "-c", dir.to_str().unwrap(), "nl"]);
    assert_eq!(sb.session_path("nl").as_deref(), dir.to_str());
    let list: serde_json::Value = serde_json::from_str(&sb.ok(&["list", "--json"])).unwrap();
    assert_eq!(list[0]["name"], "nl");
    assert_eq!(list[0]["start_dir"], dir.to_str().unwrap());
    let repo = sb.git_repo("three\nlines");
    assert_eq!(sb.ok_in(&repo, &["name"]), "three-lines\n");
    sb.ok_in(&repo, &["attach", "-d"]);
    assert_eq!(sb.session_path("three-lines").as_deref(), repo.to_str());
    assert_nothing_ran(&sb);
}

#[test]
fn typed_hostile_but_legal_names_are_created_literally() {
    let sb = Sandbox::new();
    let names = [
        "semi;",
        ";",
        "a;b",
        "a#b",
        "##",
        "#(touch pwned7)",
        "#{session_id}",
        "it's",
        "\"dq\"",
        "`touch pwned9`",
        "with space",
        "naïve",
        "=eq",
    ];
    for name in names {
        let out = sb.run(&["attach", "-d", name]);
        assert_eq!(exit_code(&out), 0, "{name:?}: {}", describe(&out));
        assert_eq!(
            stderr(&out),
            format!("thanos-tmux: created {name}\n"),
            "{name:?}"
        );
    }
    let mut want: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(sb.sessions_sorted(), want);
    assert_eq!(sb.recorded(), want);
    // Each is found again exactly: a second attach finds it, kill kills only it.
    for name in names {
        let out = sb.run(&["attach", "-d", name]);
        assert_eq!(
            stderr(&out),
            format!("thanos-tmux: exists: {name}\n"),
            "{name:?}: {}",
            describe(&out)
        );
    }
    assert_eq!(sb.sessions().len(), names.len());
    let out = sb.run(&["kill", "--yes", "a#b", "semi;", "#(touch pwned7)"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let left: Vec<String> = want
        .iter()
        .filter(|n| !["a#b", "semi;", "#(touch pwned7)"].contains(&n.as_str()))
        .cloned()
        .collect();
    assert_eq!(sb.sessions_sorted(), left);
    assert_nothing_ran(&sb);
}

#[test]
fn a_typed_name_holding_dollar_is_refused_since_tmux_would_rewrite_it() {
    // tmux stores `a$b` as `a\$b`, and reads a target starting with `$` as a session
    // id: such a name could never be reached exactly, so it is refused up front.
    let sb = Sandbox::new();
    for name in ["$(touch pwned8)", "a$b"] {
        let out = sb.run(&["attach", "-d", name]);
        assert_eq!(exit_code(&out), 2, "{}", describe(&out));
        assert!(stderr(&out).contains("try '"), "{}", describe(&out));
    }
    assert!(sb.sessions().is_empty());
    assert_nothing_ran(&sb);
}

#[test]
fn a_long_typed_name_is_taken_as_typed() {
    let sb = Sandbox::new();
    let name = "n".repeat(150);
    sb.ok(&["attach", "-d", &name]);
    assert_eq!(sb.sessions(), std::slice::from_ref(&name));
    assert_eq!(sb.ok(&["list", "--names"]), format!("{name}\n"));
}
