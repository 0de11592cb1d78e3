//! The POSIX sh scripts under hooks/ that login systems run: they restore,
//! start the daemons, ensure thanos-main, never attach, and never fail a login.

use crate::support::{self, describe, exit_code, stderr, Sandbox};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn script(event: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("hooks")
        .join(event)
        .join("thanos-tmux")
}

/// Runs a hook script the way a login system would: sh, no terminal, the binary on PATH.
fn run_script(sb: &Sandbox, event: &str, path: Option<&str>) -> Output {
    let bin_dir = sb.root.join("bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    let link = bin_dir.join("thanos-tmux");
    if !link.exists() {
        std::os::unix::fs::symlink(support::bin(), &link).unwrap();
    }
    let real_path = std::env::var("PATH").unwrap_or_default();
    let path = path
        .map(str::to_string)
        .unwrap_or_else(|| format!("{}:{real_path}", bin_dir.display()));
    Command::new("/bin/sh")
        .arg(script(event))
        .env_clear()
        .envs(sb.env())
        .env("PATH", path)
        .current_dir(&sb.home)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn session_start_restores_starts_daemons_and_ensures_main_without_attaching() {
    let sb = Sandbox::new();
    sb.write_config("[[daemons]]\nname = \"svc\"\ncommand = \"sleep 300\"\n");
    sb.ok(&["attach", "-d", "work"]);
    sb.tmux_ok(&["new-window", "-t", "=work:", "-n", "second"]);
    sb.ok(&["save"]);
    sb.kill_server();

    let out = run_script(&sb, "session-start", None);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert!(stderr(&out).lines().count() <= 1, "{}", describe(&out));
    assert_eq!(
        sb.sessions_sorted(),
        ["thanos-main", "thanos-monitor", "work"]
    );
    assert_eq!(
        sb.tmux_ok(&["list-windows", "-t", "=work", "-F", "#{window_name}"])
            .lines()
            .count(),
        2
    );
    assert!(sb.clients().is_empty(), "a login hook must never attach");
    let svc = sb.ok(&["daemons", "status", "--json"]);
    assert!(svc.contains("\"running\": true"), "{svc}");
}

#[test]
fn session_start_never_fails_a_login() {
    let sb = Sandbox::new();
    // No thanos-tmux on PATH at all.
    let out = run_script(&sb, "session-start", Some("/usr/bin:/bin"));
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "{}",
        describe(&out)
    );
    // A broken config: one line, still exit 0.
    sb.write_config("auto_attach = \"yes\"\n");
    let out = run_script(&sb, "session-start", None);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", describe(&out));
}

#[test]
fn session_end_applies_kill_on_logout_and_keeps_the_rest() {
    let sb = Sandbox::new();
    sb.write_config("kill_on_logout = [\"scratch\"]\n");
    sb.ok(&["attach", "-d", "scratch"]);
    sb.ok(&["attach", "-d", "keep"]);
    let out = run_script(&sb, "session-end", None);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "{}",
        describe(&out)
    );
    assert_eq!(sb.sessions(), ["keep"]);
    assert_eq!(sb.recorded(), ["keep"]);
    let record = &sb.records()["keep"];
    assert!(record["last_detached"].is_i64(), "{record}");
    assert!(
        record["layout"]["windows"].is_array(),
        "logout saves the layouts: {record}"
    );
}
