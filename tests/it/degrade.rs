//! Without tmux, or with one older than 3.2: commands that
//! need tmux say so in one line with how to install it (exit 3); the others still work.

use crate::support::*;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Output;

/// Runs the binary with PATH pointing where there is no tmux.
fn without_tmux(sb: &Sandbox, args: &[&str]) -> Output {
    sb.cmd(args)
        .env("PATH", sb.root.join("no-tmux-here"))
        .output()
        .unwrap()
}

/// A folder with a fake `tmux` that claims `version` for `-V` and fails otherwise.
fn fake_tmux(sb: &Sandbox, version: &str) -> PathBuf {
    let dir = sb.root.join("fake-bin");
    fs::create_dir_all(&dir).unwrap();
    let script = format!(
        "#!/bin/sh\nif [ \"$1\" = -V ]; then echo '{version}'; exit 0; fi\n\
         echo 'unknown command' >&2\nexit 1\n"
    );
    let path = dir.join("tmux");
    fs::write(&path, script).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

fn with_fake(sb: &Sandbox, dir: &std::path::Path, args: &[&str]) -> Output {
    sb.cmd(args).env("PATH", dir).output().unwrap()
}

fn assert_tmux_missing(out: &Output, what: &str) {
    assert_eq!(exit_code(out), 3, "{what}: {}", describe(out));
    assert_one_error_line(out);
    let err = stderr(out);
    assert!(err.contains("tmux"), "{what}: {err}");
    assert!(
        err.contains("install"),
        "{what}: says how to install: {err}"
    );
}

#[test]
fn attach_without_tmux_exits_3_with_one_line_on_how_to_install() {
    let sb = Sandbox::new();
    for args in [
        &["attach", "-d"][..],
        &["attach", "-d", "work"][..],
        &["-d"][..],
        &["work", "-d"][..],
    ] {
        assert_tmux_missing(&without_tmux(&sb, args), &format!("{args:?}"));
    }
    assert!(
        sb.recorded().is_empty(),
        "a session was recorded that tmux never made"
    );
}

#[test]
fn kill_without_tmux_and_without_a_server_exits_3_not_4() {
    // `kill` needs tmux: "no such session" (4) would send the user looking for a typo
    // while the real problem is that tmux is missing or too old.
    let sb = Sandbox::new();
    assert_tmux_missing(
        &without_tmux(&sb, &["kill", "work", "--yes"]),
        "kill, no tmux",
    );
    let fake = fake_tmux(&sb, "tmux 2.9");
    let out = with_fake(&sb, &fake, &["kill", "work", "--yes"]);
    assert_eq!(exit_code(&out), 3, "kill, tmux 2.9: {}", describe(&out));
    assert!(stderr(&out).contains("3.2"), "{}", describe(&out));
}

#[test]
fn kill_without_tmux_while_a_server_runs_exits_3() {
    let sb = Sandbox::new();
    // The server was started while tmux was still on PATH.
    sb.ok(&["attach", "-d", "work"]);
    assert_tmux_missing(
        &without_tmux(&sb, &["kill", "work", "--yes"]),
        "kill, server",
    );
    assert_eq!(sb.sessions(), ["work"]);
    assert_eq!(sb.recorded(), ["work"]);
}

#[test]
fn list_without_tmux_while_a_server_runs_exits_3() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "work"]);
    for args in [
        &["list"][..],
        &["list", "--json"][..],
        &["list", "--names"][..],
    ] {
        assert_tmux_missing(&without_tmux(&sb, args), &format!("{args:?}"));
    }
}

#[test]
fn status_without_tmux_reports_it_and_exits_3() {
    let sb = Sandbox::new();
    let out = without_tmux(&sb, &["status", "--json"]);
    assert_eq!(exit_code(&out), 3, "{}", describe(&out));
    let status: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(status["tmux"]["available"], false);
    assert_eq!(status["tmux"]["version"], serde_json::Value::Null);
    assert_eq!(status["tmux"]["server_running"], false);
}

#[test]
fn name_config_and_forget_work_without_tmux() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "work"]);
    sb.ok(&["attach", "-d", "other"]);
    sb.kill_server();
    let repo = sb.git_repo("code/proj");

    let out = without_tmux(&sb, &["name"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(stdout(&out), "thanos-main\n");
    let out = without_tmux(&sb, &["name", repo.to_str().unwrap()]);
    assert_eq!(stdout(&out), "proj\n", "{}", describe(&out));

    let out = without_tmux(&sb, &["config", "path"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(
        stdout(&out),
        format!("{}\n", sb.config.join("thanos-tmux/config.toml").display())
    );
    let out = without_tmux(&sb, &["config", "show"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));

    let out = without_tmux(&sb, &["forget", "work"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(sb.recorded(), ["other"]);
    let out = without_tmux(&sb, &["forget", "--dead"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert!(sb.recorded().is_empty());
}

#[test]
fn tmux_older_than_3_2_is_refused_with_exit_3() {
    let sb = Sandbox::new();
    let fake = fake_tmux(&sb, "tmux 2.9");
    for args in [&["attach", "-d"][..], &["attach", "-d", "work"][..]] {
        let out = with_fake(&sb, &fake, args);
        assert_eq!(exit_code(&out), 3, "{args:?}: {}", describe(&out));
        assert_one_error_line(&out);
        let err = stderr(&out);
        assert!(
            err.contains("3.2"),
            "{args:?}: names the version needed: {err}"
        );
        assert!(
            err.contains("2.9"),
            "{args:?}: names the version found: {err}"
        );
    }
    let out = with_fake(&sb, &fake, &["status", "--json"]);
    assert_eq!(exit_code(&out), 3, "{}", describe(&out));
    let status: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(status["tmux"]["available"], false);
    // `name` never needed tmux.
    let out = with_fake(&sb, &fake, &["name"]);
    assert_eq!(stdout(&out), "thanos-main\n", "{}", describe(&out));
    assert!(sb.recorded().is_empty());
}

#[test]
fn a_running_server_is_spoken_to_directly_whatever_tmux_is_on_path() {
    // thanos-tmux talks to a running server over its socket; the tmux on PATH (here an
    // old one that fails every command) is run only to start a server or attach.
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "work"]);
    sb.ok(&["attach", "-d", "other"]);
    let fake = fake_tmux(&sb, "tmux 3.1c");
    let out = with_fake(&sb, &fake, &["list", "--names"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(stdout(&out), "other\nwork\n");
    let out = with_fake(&sb, &fake, &["kill", "work", "--yes"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(sb.sessions(), ["other"]);
    // Starting a server or attaching runs the binary, and there it is refused: see
    // kill_without_tmux_and_without_a_server_exits_3_not_4 and the tests above.
}

#[test]
fn a_tmux_that_answers_nonsense_to_dash_v_is_unusable() {
    let sb = Sandbox::new();
    let fake = fake_tmux(&sb, "not tmux at all");
    let out = with_fake(&sb, &fake, &["attach", "-d", "work"]);
    assert_eq!(exit_code(&out), 3, "{}", describe(&out));
    assert_one_error_line(&out);
}
