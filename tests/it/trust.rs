//! What outside text, another user and a broken or hostile server can and cannot do:
//! styles in names stay text, odd names are still saved, a bad record costs only
//! itself, a fake server gets a bounded wait and a bounded read, files stay private.

use crate::support::*;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::time::{Duration, Instant};

#[test]
fn a_style_in_a_name_folder_or_window_stays_exactly_as_typed() {
    let sb = Sandbox::new();
    let out = sb.run(&["attach", "-d", "#[fg=red]"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(sb.sessions(), ["#[fg=red]"]);
    assert_eq!(sb.ok(&["list", "--names"]), "#[fg=red]\n");
    let repo = sb.git_repo("e#[x]y");
    sb.ok_in(&repo, &["attach", "-d"]);
    let name = sb.ok_in(&repo, &["name"]).trim().to_string();
    assert_eq!(sb.session_path(&name).as_deref(), repo.to_str());
    // A window name with a style survives any number of save and restore cycles.
    sb.tmux_ok(&["rename-window", "-t", "=#[fg=red]:", "w#[bg=blue]"]);
    sb.tmux_ok(&["new-window", "-d", "-t", "=#[fg=red]:", "-n", "two##[x]"]);
    for _ in 0..3 {
        sb.ok(&["save"]);
        sb.kill_server();
        sb.ok(&["restore", "--all"]);
    }
    let windows = sb.tmux_ok(&[
        "list-windows",
        "-t",
        "=#[fg=red]:",
        "-F",
        "#{q:window_name}>",
    ]);
    let names: Vec<String> = records(&windows)
        .into_iter()
        .map(|f| f[0].clone())
        .collect();
    assert_eq!(names, ["w#[bg=blue]", "two##[x]"]);
}

#[test]
fn one_record_that_cannot_be_restored_does_not_stop_the_first_attach() {
    let sb = Sandbox::new();
    for name in ["keepme", "broken", "other"] {
        sb.ok(&["attach", "-d", name]);
        sb.tmux_ok(&["split-window", "-t", &format!("={name}:")]);
    }
    sb.ok(&["save"]);
    sb.kill_server();
    // A layout of one cell for a window of two panes: tmux refuses it.
    sb.break_saved_layout("broken");
    let out = sb.run(&["attach", "-d", "keepme"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert!(
        stderr(&out).contains("broken"),
        "the bad record is named: {}",
        describe(&out)
    );
    assert!(
        sb.has_session("keepme") && sb.has_session("other"),
        "{:?}",
        sb.sessions()
    );
    // Its own attach starts it afresh rather than failing.
    let out = sb.run(&["attach", "-d", "broken"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert!(sb.has_session("broken"));
}

#[test]
fn long_names_emoji_and_names_like_ids_are_saved_by_the_hooks() {
    let sb = Sandbox::new();
    let long = "l".repeat(200);
    let emoji = "😀".repeat(40);
    for name in [long.as_str(), emoji.as_str(), "@1", "%2"] {
        sb.ok(&["attach", "-d", name]);
        // A new window fires a hook, which saves that session's layout.
        sb.tmux_ok(&["new-window", "-d", "-t", &format!("={name}:")]);
        let saved = || {
            let records = sb.records();
            records[name]["layout"]["windows"].as_array().map(Vec::len) == Some(2)
        };
        assert!(
            wait_for(saved, Duration::from_secs(5)),
            "{name:?}: {:?}",
            sb.records()[name]
        );
    }
    let out = sb.run(&["save", "@1"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert!(stderr(&out).contains("1 session"), "{}", describe(&out));
}

#[test]
fn a_session_named_like_an_id_is_never_mistaken_for_another() {
    let sb = Sandbox::new();
    sb.tmux_ok(&["new-session", "-d", "-s", "victim", "sleep 1000"]);
    sb.tmux_ok(&["new-session", "-d", "-s", "$0"]);
    sb.ok(&["save"]);
    let victim_id = sb.session_format("victim", "session_id").unwrap();
    assert_eq!(victim_id, "$0", "the test needs the victim to hold id $0");
    sb.tmux_ok(&["kill-session", "-t", "$1"]);
    // Restoring the session named "$0" must not type into, rename or set options on
    // the session whose id is $0.
    sb.ok(&["restore", "--all"]);
    assert!(sb.has_session("$0"));
    let keys = sb.tmux_ok(&["capture-pane", "-p", "-t", "=victim:"]);
    assert!(
        keys.trim().is_empty(),
        "something typed into victim: {keys}"
    );
    assert_eq!(sb.session_option("victim", "@thanos-managed"), None);
    assert_eq!(
        sb.tmux_ok(&["list-windows", "-t", "=victim:"])
            .lines()
            .count(),
        1
    );
}

#[test]
fn a_pane_whose_own_process_is_a_program_is_saved_with_it() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "logs"]);
    // One window where the shell runs the program as its child, one where the
    // program is the pane's own process.
    sb.tmux_ok(&["new-window", "-d", "-t", "=logs:", "tail -f /dev/null"]);
    sb.tmux_ok(&[
        "new-window",
        "-d",
        "-t",
        "=logs:",
        "exec tail -f /etc/hostname",
    ]);
    let running = || {
        let out = sb.tmux_ok(&[
            "list-panes",
            "-s",
            "-t",
            "=logs:",
            "-F",
            "#{pane_current_command}",
        ]);
        out.lines().filter(|l| *l == "tail").count() == 1 && out.lines().count() == 3
    };
    assert!(wait_for(running, Duration::from_secs(5)));
    sb.ok(&["save"]);
    let windows = sb.records()["logs"]["layout"]["windows"].clone();
    let commands: Vec<&serde_json::Value> = windows
        .as_array()
        .unwrap()
        .iter()
        .map(|w| &w["panes"][0]["command"])
        .collect();
    assert_eq!(
        commands[0],
        &serde_json::json!([]),
        "the shell's pane has no program"
    );
    assert_eq!(commands[1], &serde_json::json!(["tail", "-f", "/dev/null"]));
    assert_eq!(
        commands[2],
        &serde_json::json!(["tail", "-f", "/etc/hostname"])
    );
}

#[test]
fn doctor_fails_a_state_file_others_can_read() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "a"]);
    fs::set_permissions(sb.state_file(), fs::Permissions::from_mode(0o666)).unwrap();
    let out = sb.run(&["doctor"]);
    assert_eq!(exit_code(&out), 1, "{}", describe(&out));
    let text = stdout(&out) + &stderr(&out);
    assert!(text.contains("chmod 600"), "{text}");
    assert!(!text.contains("is private"), "{text}");
}

#[test]
fn the_log_is_never_written_through_a_planted_link() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "a"]);
    let elsewhere = sb.root.join("elsewhere.txt");
    fs::write(&elsewhere, "untouched\n").unwrap();
    let log = sb.state_dir().join("thanos-tmux.log");
    let _ = fs::remove_file(&log);
    std::os::unix::fs::symlink(&elsewhere, &log).unwrap();
    sb.ok(&["attach", "-d", "b"]);
    let _ = sb.run(&["kill", "--yes", "nothing-here"]);
    assert_eq!(fs::read_to_string(&elsewhere).unwrap(), "untouched\n");
}

#[test]
fn a_config_link_to_nothing_is_an_error_by_hand_and_one_line_at_login() {
    let sb = Sandbox::new();
    let dir = sb.config.join("thanos-tmux");
    fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(sb.root.join("gone.toml"), dir.join("config.toml")).unwrap();
    let out = sb.run(&["config", "show"]);
    assert_eq!(exit_code(&out), 1, "{}", describe(&out));
    assert_one_error_line(&out);
    assert!(stderr(&out).contains("config.toml"), "{}", describe(&out));
}

#[test]
fn a_socket_path_that_cannot_exist_is_an_error_not_a_session() {
    let sb = Sandbox::new();
    let out = sb.run(&["-S", "/nonexistent/sock", "attach", "-d", "bar"]);
    assert_eq!(exit_code(&out), 1, "{}", describe(&out));
    assert_one_error_line(&out);
    assert!(
        stderr(&out).contains("/nonexistent/sock"),
        "{}",
        describe(&out)
    );
    assert!(sb.recorded().is_empty(), "{:?}", sb.recorded());
}

/// A fake tmux server on the sandbox's socket: accepts, reads what the client sends,
/// then answers with `answer` (a function of the connection). Returns the listener's
/// thread; it stops when the test's sandbox is dropped (accept fails).
fn fake_server(sb: &Sandbox, answer: fn(&mut std::os::unix::net::UnixStream)) {
    let path = sb.socket_path();
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::set_permissions(path.parent().unwrap(), fs::Permissions::from_mode(0o700)).unwrap();
    let listener = UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                stream
                    .set_read_timeout(Some(Duration::from_millis(200)))
                    .unwrap();
                let _ = stream.read(&mut buf);
                answer(&mut stream);
            });
        }
    });
}

fn frame(kind: u32, body: &[u8]) -> Vec<u8> {
    let mut out = kind.to_ne_bytes().to_vec();
    out.extend_from_slice(&((16 + body.len()) as u16).to_ne_bytes());
    out.extend_from_slice(&0u16.to_ne_bytes());
    out.extend_from_slice(&8u32.to_ne_bytes());
    out.extend_from_slice(&u32::MAX.to_ne_bytes());
    out.extend_from_slice(body);
    out
}

/// Runs `args` and checks it ended within `bound`, with one line and exit 1. The fake
/// server's socket is removed after, so that the sandbox does not try to end it.
fn ends_with_one_line(sb: &Sandbox, args: &[&str], bound: Duration) {
    let start = Instant::now();
    let out = sb.run(args);
    let took = start.elapsed();
    fs::remove_file(sb.socket_path()).unwrap();
    assert!(took < bound, "{args:?} took {took:?}: {}", describe(&out));
    assert_eq!(exit_code(&out), 1, "{args:?}: {}", describe(&out));
    assert_one_error_line(&out);
}

#[test]
fn a_server_that_never_answers_costs_completion_two_seconds() {
    let sb = Sandbox::new();
    fake_server(&sb, |_| std::thread::sleep(Duration::from_secs(30)));
    ends_with_one_line(&sb, &["list", "--names"], Duration::from_millis(3500));
}

#[test]
fn a_server_that_never_answers_holds_no_command_forever() {
    let sb = Sandbox::new();
    fake_server(&sb, |_| std::thread::sleep(Duration::from_secs(60)));
    ends_with_one_line(&sb, &["list"], Duration::from_secs(12));
}

#[test]
fn a_server_that_dribbles_gets_one_deadline_not_one_per_read() {
    let sb = Sandbox::new();
    fake_server(&sb, |s| {
        // An output stream opened, then one byte of a frame every 100 ms.
        let _ = s.write_all(&frame(
            303,
            &[1i32.to_ne_bytes(), 1i32.to_ne_bytes(), [0; 4]].concat(),
        ));
        for b in frame(304, &[&1i32.to_ne_bytes()[..], b"work\n"].concat()) {
            std::thread::sleep(Duration::from_millis(100));
            if s.write_all(&[b]).is_err() {
                return;
            }
        }
        std::thread::sleep(Duration::from_secs(30));
    });
    ends_with_one_line(&sb, &["list", "--names"], Duration::from_millis(3500));
}

#[test]
fn a_server_that_floods_is_cut_off() {
    let sb = Sandbox::new();
    fake_server(&sb, |s| {
        let _ = s.write_all(&frame(
            303,
            &[1i32.to_ne_bytes(), 1i32.to_ne_bytes(), [0; 4]].concat(),
        ));
        let chunk = frame(304, &[&1i32.to_ne_bytes()[..], &[b'x'; 16_000]].concat());
        for _ in 0..4000 {
            if s.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    ends_with_one_line(&sb, &["list"], Duration::from_secs(10));
}

#[test]
fn a_server_that_sends_garbage_is_an_error_at_once() {
    let sb = Sandbox::new();
    fake_server(&sb, |s| {
        let mut lying = frame(304, b"short");
        lying[4..8].copy_from_slice(&0x0009_0000u32.to_ne_bytes());
        let _ = s.write_all(&lying);
        std::thread::sleep(Duration::from_secs(30));
    });
    ends_with_one_line(&sb, &["list"], Duration::from_secs(1));
}
