//! What must hold on every tmux from 3.2a to master (the suite runs once per version):
//! no command ends a program it did not start, tmux's answers come back exact whatever
//! a folder holds, every message the socket path sends leaves a server alive, batches
//! stay within the server's limits.

use crate::support::*;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::time::Duration;

/// The pids of the `sleep` programs running in the panes of `session`.
fn sleepers(sb: &Sandbox, session: &str) -> Vec<u32> {
    let out = sb.tmux_ok(&[
        "list-panes",
        "-s",
        "-t",
        &format!("={session}"),
        "-F",
        "#{pane_pid}",
    ]);
    out.lines().filter_map(|l| l.trim().parse().ok()).collect()
}

fn alive(pid: u32) -> bool {
    !pid_gone(pid)
}

#[test]
fn no_command_ends_a_program_in_a_session_it_did_not_create() {
    let sb = Sandbox::new();
    // Two plain tmux sessions whose panes run programs, one of them recorded too.
    sb.tmux_ok(&["new-session", "-d", "-s", "work", "sleep 1000"]);
    sb.tmux_ok(&["new-window", "-t", "=work:", "sleep 1001"]);
    sb.tmux_ok(&["new-session", "-d", "-s", "play", "sleep 1002"]);
    let mut pids = sleepers(&sb, "work");
    pids.extend(sleepers(&sb, "play"));
    assert_eq!(pids.len(), 3);
    sb.ok(&["save", "work"]);
    // A record tmux does not have, so that restore has work to do every round.
    let gone = sb.mkdir("gone");
    sb.ok_in(&gone, &["attach", "-d", "gone"]);
    let sid = |name: &str| sb.session_format(name, "session_id").unwrap();
    for round in 0..3 {
        // Closed on purpose, its record goes (the session-closed hook); the record is
        // then put back, as after a crash, so that restore has it to rebuild.
        let recorded = fs::read(sb.state_file()).unwrap();
        let gone_id = sid("gone");
        sb.tmux_ok(&["kill-session", "-t", &gone_id]);
        wait_for(
            || !sb.recorded().contains(&"gone".to_string()),
            Duration::from_secs(3),
        );
        sb.write_state(&recorded);
        for args in [
            &["list"][..],
            &["list", "--json"],
            &["list", "--names"],
            &["status", "--json"],
            &["save"],
            &["restore", "--all"],
            &["attach", "-d", "fresh"],
            &["attach", "-d", "work"],
            &["hook", "session-start"],
            &["cleanup"],
            &["daemons", "status"],
            &["doctor"],
        ] {
            let _ = sb.run(args);
            for pid in &pids {
                assert!(
                    alive(*pid),
                    "round {round}: `{}` ended pid {pid}",
                    args.join(" ")
                );
            }
        }
        assert!(
            sb.has_session("gone"),
            "round {round}: restore did not bring 'gone' back"
        );
    }
    // `hook session-start` ensures thanos-main.
    assert_eq!(
        sb.sessions_sorted(),
        ["fresh", "gone", "play", "thanos-main", "work"]
    );
}

#[test]
fn a_failed_restore_removes_only_what_it_created() {
    let sb = Sandbox::new();
    sb.tmux_ok(&["new-session", "-d", "-s", "keep", "sleep 1000"]);
    let pid = sleepers(&sb, "keep")[0];
    for name in ["a", "b"] {
        sb.ok(&["attach", "-d", name]);
        sb.tmux_ok(&["split-window", "-t", &format!("={name}:")]);
    }
    sb.ok(&["save"]);
    sb.kill_server();
    // 'b' gets a layout tmux refuses (a sound string of one cell for its two panes),
    // so the first batched call fails partway; 'keep' is made by someone else
    // meanwhile.
    sb.break_saved_layout("b");
    sb.tmux_ok(&["new-session", "-d", "-s", "keep", "sleep 1000"]);
    let pid2 = sleepers(&sb, "keep")[0];
    let out = sb.run(&["restore", "--all"]);
    assert_eq!(exit_code(&out), 1, "{}", describe(&out));
    assert!(stderr(&out).contains("'b'"), "{}", describe(&out));
    assert!(
        alive(pid2),
        "restore's undo ended a session it did not create"
    );
    assert!(sb.has_session("a"), "the good record was not restored");
    assert!(!sb.has_session("b"), "a half-built session was left");
    assert!(pid_gone(pid), "the first 'keep' went with its server");
}

#[test]
fn folders_that_look_like_tmux_output_come_back_exact_and_forge_nothing() {
    let sb = Sandbox::new();
    let folders = [
        "proj\n$9|forged|1|1|1|1|1|1|1|/tmp>",
        "tab\there and \x1f unit",
        "esc \x1b[2J and \\037 and \\\\ and $HOME and \\$x",
        "ends with a backslash \\",
        "pipe | angle > quote ' \" semicolon ;",
    ];
    for (k, folder) in folders.iter().enumerate() {
        let dir = sb.mkdir(folder);
        sb.ok_in(&dir, &["attach", "-d", &format!("s{k}")]);
    }
    let list: serde_json::Value = serde_json::from_str(&sb.ok(&["list", "--json"])).unwrap();
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), folders.len(), "{list:#}");
    for (k, folder) in folders.iter().enumerate() {
        let row = rows.iter().find(|r| r["name"] == format!("s{k}")).unwrap();
        let want = sb.home.join(folder);
        assert_eq!(row["start_dir"].as_str(), want.to_str(), "{folder:?}");
        assert_eq!(row["alive"], true, "{folder:?}");
    }
    // Human output escapes control characters: no raw escape reaches a terminal.
    let human = sb.ok(&["list"]);
    assert!(!human.contains('\x1b'), "{human:?}");
    assert_eq!(human.lines().count(), folders.len() + 1, "{human}");
    // Saved layouts hold the exact folders and nothing invented (once every pane's
    // shell runs: tmux knows a pane's folder from its foreground process).
    let started = || {
        let out = sb.tmux_ok(&["list-panes", "-a", "-F", "#{?pane_current_path,1,0}"]);
        out.lines().all(|l| l == "1")
    };
    assert!(wait_for(started, Duration::from_secs(5)));
    sb.ok(&["save"]);
    let records = sb.records();
    assert_eq!(records.len(), folders.len(), "{records:?}");
    for (k, folder) in folders.iter().enumerate() {
        let cwd = &records[&format!("s{k}")]["layout"]["windows"][0]["panes"][0]["cwd"];
        assert_eq!(cwd.as_str(), sb.home.join(folder).to_str(), "{folder:?}");
    }
}

#[test]
fn every_message_the_socket_path_sends_leaves_the_server_and_its_panes_alive() {
    let sb = Sandbox::new();
    sb.tmux_ok(&["new-session", "-d", "-s", "keep", "sleep 1000"]);
    let pid = sleepers(&sb, "keep")[0];
    let server = sb.server_pid().unwrap();
    let check = |what: &str| {
        assert!(
            sb.server_running() && sb.server_pid() == Some(server),
            "{what}: the server died"
        );
        assert!(alive(pid), "{what}: the pane's program died");
    };
    // Identify with the largest environment entry, TERM and folder that still fit one
    // message, and ones that do not (those are left out, never sent).
    let deep = sb.mkdir("d".repeat(200) + "/" + &"e".repeat(200));
    for size in [100, 16_000, 16_360, 16_400, 70_000] {
        let out = sb
            .cmd_in(&deep, &["list", "--names"])
            .env("BIG", "x".repeat(size))
            .env("TERM", "t".repeat(size.min(16_000)))
            .output()
            .unwrap();
        assert_eq!(exit_code(&out), 0, "env of {size}: {}", describe(&out));
        check(&format!("an environment entry of {size} bytes"));
    }
    // The largest command: a name just under the message limit, and one over it (the
    // binary takes that one).
    for size in [100, 8_000, 16_200, 16_400] {
        let name = "n".repeat(size);
        let _ = sb.run(&["kill", "--yes", &name]);
        check(&format!("a command of {size} bytes"));
    }
    // Output on both streams. (Commands that make the server ask the client for input
    // or for a file to write are checked by the socket path's own unit test.)
    let _ = sb.run(&["attach", "-d", "keep2"]);
    let _ = sb.run(&["restore", "nothing-recorded"]);
    check("stdout and stderr");
}

#[test]
fn a_socket_folder_others_can_use_is_refused_before_anything_is_sent() {
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    for case in ["open", "symlink", "foreign"] {
        let sb = Sandbox::new();
        let dir = sb.tmux_tmpdir.join(format!("tmux-{uid}"));
        let real = sb.root.join("elsewhere");
        fs::create_dir_all(&real).unwrap();
        match case {
            "open" => {
                fs::create_dir_all(&dir).unwrap();
                fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
            }
            "symlink" => std::os::unix::fs::symlink(&real, &dir).unwrap(),
            _ => {
                fs::create_dir_all(&dir).unwrap();
                fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
                std::os::unix::fs::chown(&dir, Some(65534), Some(65534)).unwrap();
            }
        }
        let listen_at = if case == "symlink" {
            real.join("default")
        } else {
            dir.join("default")
        };
        let listener = UnixListener::bind(&listen_at).unwrap();
        listener.set_nonblocking(true).unwrap();
        for args in [
            &["list", "--names"][..],
            &["list"],
            &["attach", "-d", "x"],
            &["save"],
        ] {
            let out = sb
                .cmd(args)
                .env("SECRET_TOKEN", "hunter2")
                .output()
                .unwrap();
            assert_eq!(exit_code(&out), 1, "{case} {args:?}: {}", describe(&out));
            assert_one_error_line(&out);
            assert!(
                stderr(&out).contains(&format!("tmux-{uid}")),
                "{case}: the message names the folder: {}",
                describe(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            listener.accept().is_err(),
            "{case}: something connected to a socket in a folder tmux would refuse"
        );
    }
}

#[test]
fn a_restore_larger_than_one_command_line_comes_back_whole() {
    // 60 sessions of 3 windows: more than the 1000 arguments tmux 3.7 takes at once.
    let sb = Sandbox::new();
    for s in 0..60 {
        let name = format!("s{s:02}");
        sb.tmux_ok(&["new-session", "-d", "-s", &name]);
        sb.tmux_ok(&["new-window", "-t", &format!("={name}:"), "-n", "two"]);
        sb.tmux_ok(&["new-window", "-t", &format!("={name}:"), "-n", "three"]);
    }
    sb.ok(&["save"]);
    assert_eq!(sb.recorded().len(), 60);
    sb.kill_server();
    sb.ok(&["restore", "--all"]);
    let windows = sb.tmux_ok(&["list-windows", "-a", "-F", "#{session_name} #{window_name}"]);
    assert_eq!(windows.lines().count(), 180, "{windows}");
    assert_eq!(
        windows.lines().filter(|l| l.ends_with(" three")).count(),
        60
    );
}

/// A `tmux` of another version than the one on PATH: the system's when it differs (a
/// real mismatch, as right after a package upgrade), else a wrapper that runs the real
/// tmux but reports another version.
fn other_tmux(sb: &Sandbox) -> (std::path::PathBuf, String) {
    let version = |tmux: &str| {
        // A script just written may be "busy" while another test's fork still holds
        // its descriptor: asked again a moment later.
        let mut tries = 0;
        let out = loop {
            match std::process::Command::new(tmux).arg("-V").output() {
                Err(err) if err.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 50 => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => break other.unwrap(),
            }
        };
        stdout(&out).trim().trim_start_matches("tmux ").to_string()
    };
    let ours = version("tmux");
    let dir = sb.root.join("other-tmux");
    fs::create_dir_all(&dir).unwrap();
    let system = "/usr/bin/tmux";
    let script = if std::path::Path::new(system).exists() && version(system) != ours {
        format!("#!/bin/sh\nexec {system} \"$@\"\n")
    } else {
        let real = std::process::Command::new("sh")
            .args(["-c", "command -v tmux"])
            .output()
            .unwrap();
        let real = stdout(&real).trim().to_string();
        format!(
            "#!/bin/sh\n[ \"$1\" = -V ] && {{ echo 'tmux 9.9z'; exit 0; }}\nexec {real} \"$@\"\n"
        )
    };
    let fake = dir.join("tmux");
    fs::write(&fake, script).unwrap();
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    let other = version(fake.to_str().unwrap());
    assert_ne!(other, ours);
    (dir, other)
}

#[test]
fn a_server_of_another_version_gets_a_right_answer_or_one_line_naming_both() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "work"]);
    let server = sb
        .tmux_ok(&["display-message", "-p", "#{version}"])
        .trim()
        .to_string();
    let (dir, binary) = other_tmux(&sb);
    let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap());
    for spawn in ["0", "1"] {
        for args in [
            &["list", "--names"][..],
            &["list", "--json"],
            &["save"],
            &["attach", "-d", "work"],
            &["attach", "-d", "second"],
        ] {
            let out = sb
                .cmd(args)
                .env("PATH", &path)
                .env("THANOS_TMUX_SPAWN", spawn)
                .output()
                .unwrap();
            let what = format!("server {server}, binary {binary}, spawn={spawn}, {args:?}");
            match exit_code(&out) {
                0 => match args {
                    ["list", "--names"] => assert!(
                        stdout(&out).lines().any(|l| l == "work"),
                        "{what}: {}",
                        describe(&out)
                    ),
                    ["list", "--json"] => assert!(
                        stdout(&out).contains("\"name\": \"work\""),
                        "{what}: {}",
                        describe(&out)
                    ),
                    ["save"] => assert!(sb.records()["work"]["layout"].is_object(), "{what}"),
                    _ => assert!(sb.has_session(args[2]), "{what}: {}", describe(&out)),
                },
                1 => {
                    assert_one_error_line(&out);
                    let said = stderr(&out);
                    assert!(
                        said.contains(&server) && said.contains(&binary),
                        "{what}: {said}"
                    );
                }
                code => panic!("{what}: exit {code}: {}", describe(&out)),
            }
        }
    }
}
