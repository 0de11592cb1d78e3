//! The fixture checks itself: a test that relies on it cannot pass by accident.

use crate::support::*;
use std::time::Duration;

#[test]
fn sandbox_servers_are_private_and_end_on_drop() {
    let sb = Sandbox::new();
    assert!(!sb.server_running());
    sb.start_server("probe");
    assert_eq!(sb.sessions(), ["probe"]);
    let pid = sb.server_pid().expect("server pid");
    let socket = sb.socket_path();
    assert!(socket.starts_with(sb.path()), "{}", socket.display());
    drop(sb);
    assert!(
        wait_for(|| pid_gone(pid), Duration::from_secs(1)),
        "server {pid} outlived its sandbox"
    );
}

#[test]
fn panes_run_plain_sh_from_the_sandbox_tmux_conf() {
    let sb = Sandbox::new();
    // Started by the binary, the server reads the sandbox HOME's tmux.conf.
    sb.ok(&["attach", "--detached", "probe"]);
    // display-time is not tmux's default (750): the file was read.
    let time = sb.tmux_ok(&["show-options", "-gv", "display-time"]);
    assert_eq!(time.trim(), "5000");
    let shell = sb.tmux_ok(&["show-options", "-gv", "default-command"]);
    assert_eq!(shell.trim(), "/bin/sh");
    let command = sb.tmux_ok(&["list-panes", "-a", "-F", "#{pane_current_command}"]);
    assert_eq!(command.trim(), "sh");
}

#[test]
fn the_pwned_check_would_see_an_executed_format() {
    // The hostile-name tests look for files an expanded `#(...)` would create. Prove the
    // search finds one when raw tmux (which nobody escaped for) runs it. tmux kills a
    // format job when the client that expanded it leaves, so this client stays (in a
    // blocking run-shell) until the job's file is there, or 5 s have passed.
    let sb = Sandbox::new();
    sb.start_server("probe");
    sb.tmux_ok(&[
        "new-session",
        "-d",
        "-s",
        "ctl",
        "-c",
        "x #(touch pwnedctl)",
        ";",
        "run-shell",
        "i=0; while [ ! -e pwnedctl ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i+1)); done",
    ]);
    assert!(
        wait_for(|| !sb.find("pwnedctl").is_empty(), Duration::from_secs(10)),
        "raw tmux did not run #(touch ...) where the check looks"
    );
}

#[test]
fn session_format_reads_paths_with_newlines() {
    let sb = Sandbox::new();
    let dir = sb.mkdir("two\nlines");
    sb.start_server("probe");
    sb.tmux_ok(&["new-session", "-d", "-s", "nl", "-c", dir.to_str().unwrap()]);
    assert_eq!(sb.session_path("nl").as_deref(), dir.to_str());
    assert_eq!(sb.session_path("probe").as_deref(), sb.home.to_str());
}

#[test]
fn terminal_types_and_reads_the_screen() {
    let sb = Sandbox::new();
    let term = Terminal::new(&sb);
    term.type_line("echo hello-$((6*7))");
    term.wait_screen(|s| s.contains("hello-42"), Duration::from_secs(5));
    // The terminal's shell sees the sandbox, not the outer server.
    term.type_line("echo \"tmux=[$TMUX] home=$HOME tmpdir=$TMUX_TMPDIR\"");
    let want = format!(
        "tmux=[] home={} tmpdir={}",
        sb.home.display(),
        sb.tmux_tmpdir.display()
    );
    term.wait_screen(|s| s.contains(&want), Duration::from_secs(5));
}
