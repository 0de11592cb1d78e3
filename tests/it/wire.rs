//! A running server is spoken to over its socket (tmux's client protocol) instead of
//! through a `tmux` process: the results must be the ones the `tmux` binary gives.
//! `THANOS_TMUX_SPAWN=1` forces the binary, so the two can be compared.

use crate::support::*;

/// A session made by `attach -d NAME` in `dir` with `SSH_AUTH_SOCK` set; `spawn` picks
/// the `tmux` binary over the socket.
fn made(sb: &Sandbox, name: &str, dir: &std::path::Path, spawn: bool) {
    let mut cmd = sb.cmd(&["attach", "-d", name]);
    cmd.current_dir(dir)
        .env("SSH_AUTH_SOCK", format!("/agent/{name}"));
    if spawn {
        cmd.env("THANOS_TMUX_SPAWN", "1");
    }
    let out = cmd.output().unwrap();
    assert_eq!(exit_code(&out), 0, "{name}: {}", describe(&out));
}

#[test]
fn a_session_made_over_the_socket_is_the_one_the_binary_makes() {
    let sb = Sandbox::new();
    sb.start_server("first");
    let dir = sb.mkdir("code/it's here");
    made(&sb, "by-socket", &dir, false);
    made(&sb, "by-binary", &dir, true);
    for name in ["by-socket", "by-binary"] {
        // The folder it starts in, and the caller's environment for the variables tmux
        // takes over from a client (update-environment): both reach the server.
        assert_eq!(sb.session_path(name).as_deref(), dir.to_str(), "{name}");
        let env = sb.tmux_ok(&[
            "show-environment",
            "-t",
            &format!("={name}"),
            "SSH_AUTH_SOCK",
        ]);
        assert_eq!(env.trim(), format!("SSH_AUTH_SOCK=/agent/{name}"));
    }
    assert_eq!(
        sb.session_option("by-socket", "@thanos-managed"),
        sb.session_option("by-binary", "@thanos-managed")
    );
}

#[test]
fn answers_over_the_socket_match_the_binarys_byte_for_byte() {
    let sb = Sandbox::new();
    for name in ["work", "café-ünïcødé", "two words", "日本語"] {
        sb.ok(&["attach", "-d", name]);
    }
    let failing = |args: &[&str]| {
        let out = sb.run(args);
        assert_eq!(exit_code(&out), 4, "{args:?}: {}", describe(&out));
        (stdout(&out), stderr(&out))
    };
    for args in [
        &["list", "--names"][..],
        &["list", "--json"][..],
        &["list"][..],
    ] {
        let socket = sb.ok(args);
        let binary = sb.cmd(args).env("THANOS_TMUX_SPAWN", "1").output().unwrap();
        assert_eq!(exit_code(&binary), 0, "{}", describe(&binary));
        assert_eq!(socket, stdout(&binary), "{args:?}");
    }
    assert!(sb.ok(&["list", "--names"]).contains("日本語\n"));
    // tmux's own refusal travels back the same way too.
    let socket = failing(&["kill", "nobody", "--yes"]);
    let binary = sb
        .cmd(&["kill", "nobody", "--yes"])
        .env("THANOS_TMUX_SPAWN", "1")
        .output()
        .unwrap();
    assert_eq!(socket, (stdout(&binary), stderr(&binary)));
}

#[test]
fn a_command_too_long_for_one_message_still_runs() {
    // tmux's messages hold 16 KiB; a longer command goes through the binary, which
    // tells the user the same thing tmux would.
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "work"]);
    let long = "x".repeat(20_000);
    let out = sb.run(&["attach", "-d", &long]);
    let err = stderr(&out);
    assert_ne!(exit_code(&out), 0, "{}", describe(&out));
    assert_one_error_line(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(sb.sessions(), ["work"]);
}

#[test]
fn a_server_on_its_way_out_is_no_server_to_a_query() {
    // Right after `kill-server` the old server may still take a connection and then
    // hang up: a list then shows no live session, not an error.
    let sb = Sandbox::new();
    for _ in 0..5 {
        sb.ok(&["attach", "-d", "work"]);
        sb.tmux_ok(&["kill-server"]);
        let out = sb.run(&["list", "--names"]);
        assert_eq!(exit_code(&out), 0, "{}", describe(&out));
        assert_eq!(stdout(&out), "");
        let out = sb.run(&["list", "--json"]);
        assert_eq!(exit_code(&out), 0, "{}", describe(&out));
        let list: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(list[0]["alive"], false, "{list:#}");
    }
}
