//! The state file as a user meets it: private, recovered when corrupt,
//! never overwritten when newer, refused in an unsafe folder.

use crate::support::*;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

fn mode(path: &std::path::Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_state_file_is_0600_in_a_0700_folder_and_versioned() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "work"]);
    assert_eq!(mode(&sb.state_dir()), 0o700);
    assert_eq!(mode(&sb.state_file()), 0o600);
    let state = sb.state_json();
    assert_eq!(state["version"], 1);
    let record = &sb.records()["work"];
    assert_eq!(record["name"], "work");
    assert_eq!(record["start_dir"], sb.home.to_str().unwrap());
    assert!(record["created"].is_i64(), "{record:#}");
    // The identity of the server that holds it.
    let server = &record["server"];
    assert_eq!(
        server["socket"],
        sb.socket_path().to_str().unwrap(),
        "{record:#}"
    );
    assert_eq!(
        server["pid"].as_u64().map(|p| p as u32),
        sb.server_pid(),
        "{record:#}"
    );
    assert!(server["start_time"].is_i64(), "{record:#}");
    // A new window makes tmux run the save hook in the background (whatever the
    // user's umask); its coalescing folder must be private too.
    sb.tmux_ok(&["new-window", "-d", "-t", "=work:"]);
    let pending = sb.state_dir().join("pending");
    assert!(
        wait_for(|| pending.is_dir(), Duration::from_secs(5)),
        "no hook save ran"
    );
    // Everything in the folder (lock, log, generations, hook marks) is private too,
    // and no temp file is left behind.
    let mut entries: Vec<_> = fs::read_dir(sb.state_dir()).unwrap().collect();
    entries.extend(fs::read_dir(&pending).unwrap());
    for entry in entries {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        assert_eq!(
            mode(&entry.path()) & 0o077,
            0,
            "{name} is readable by others"
        );
        assert!(!name.contains("tmp"), "temp file left behind: {name}");
    }
}

#[test]
fn records_of_other_servers_never_mix() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "default-one"]);
    sb.ok(&["attach", "-d", "-L", "work", "work-one"]);
    assert_eq!(sb.recorded(), ["default-one"]);
    let list = sb.ok(&["list", "--names", "--dead"]);
    assert_eq!(list, "");
    assert_eq!(sb.ok(&["list", "-L", "work", "--names"]), "work-one\n");
    assert_eq!(sb.ok(&["list", "-L", "work", "--names", "--dead"]), "");
    assert_eq!(sb.ok(&["list", "--names"]), "default-one\n");
}

#[test]
fn a_corrupt_state_file_is_moved_aside_with_one_warning() {
    let sb = Sandbox::new();
    let garbage = b"{ this is not json".to_vec();
    sb.write_state(&garbage);
    let out = sb.run(&["list", "--json"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), "[]");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{}", describe(&out));
    assert!(err.starts_with("thanos-tmux:"), "{}", describe(&out));
    assert!(err.contains("corrupt"), "{}", describe(&out));
    assert!(!err.contains("panicked"), "{}", describe(&out));

    let aside: Vec<_> = sb
        .find("sessions.json.corrupt-")
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let digits = name.trim_start_matches("sessions.json.corrupt-");
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        })
        .collect();
    assert_eq!(aside.len(), 1, "{:?}", sb.find("sessions.json"));
    assert_eq!(fs::read(&aside[0]).unwrap(), garbage);
    assert!(
        err.contains(aside[0].to_str().unwrap()),
        "the warning names where it went: {err}"
    );

    // Work goes on: a new session is recorded in a fresh file.
    sb.ok(&["attach", "-d", "work"]);
    assert_eq!(sb.recorded(), ["work"]);
}

#[test]
fn a_corrupt_state_file_falls_back_to_the_newest_good_generation_and_keeps_it() {
    let sb = Sandbox::new();
    for name in ["one", "two"] {
        sb.ok(&["attach", "-d", name]);
    }
    // Once the hooks are done, the current file is broken by hand. sessions.json.1
    // holds "one" at least (with "two" too when a hook wrote after the attach).
    sb.hooks_quiet();
    let good = sb.recorded_in_generation(1);
    assert!(good.contains(&"one".to_string()), "{good:?}");
    sb.write_state(b"{ broken");
    fs::write(sb.state_dir().join("sessions.json.2"), b"also broken").unwrap();
    let out = sb.run(&["list", "--json"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("sessions.json.1"),
        "the warning says where work went on: {err}"
    );
    assert_eq!(sb.recorded(), good);
    // Three more writes: the good state is carried on, never rotated out for junk.
    for name in ["a", "b", "c"] {
        sb.ok(&["attach", "-d", name]);
    }
    let mut carried = good.clone();
    carried.extend(["a", "b", "c"].map(String::from));
    carried.sort();
    assert_eq!(sb.recorded(), carried);
    for n in 1..=3 {
        let text = fs::read(sb.state_dir().join(format!("sessions.json.{n}"))).unwrap();
        assert!(
            serde_json::from_slice::<serde_json::Value>(&text).is_ok(),
            "generation {n}"
        );
    }
}

#[test]
fn a_huge_state_file_is_set_aside_unread() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "one"]);
    sb.ok(&["attach", "-d", "two"]);
    sb.hooks_quiet();
    let good = sb.recorded_in_generation(1);
    assert!(good.contains(&"one".to_string()), "{good:?}");
    // 100 MB of valid JSON: one huge string in an otherwise fine file.
    let huge = format!(
        "{{\"version\": 1, \"servers\": {{}}, \"x\": \"{}\"}}",
        "a".repeat(100 << 20)
    );
    sb.write_state(huge.as_bytes());
    let out = sb.run(&["list", "--json"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert!(
        stderr(&out).contains("larger than any state"),
        "{}",
        describe(&out)
    );
    assert_eq!(
        sb.recorded(),
        good,
        "went on from the newest good generation"
    );
}

#[test]
fn a_corrupt_state_file_does_not_stop_an_attach() {
    let sb = Sandbox::new();
    sb.write_state(b"\x00\x01 binary junk");
    let out = sb.run(&["attach", "-d", "work"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let err = stderr(&out);
    assert!(err.contains("corrupt"), "{}", describe(&out));
    assert!(err.lines().all(|l| l.starts_with("thanos-tmux:")), "{err}");
    assert_eq!(sb.sessions(), ["work"]);
    assert_eq!(sb.recorded(), ["work"]);
    assert_eq!(sb.find("sessions.json.corrupt-").len(), 1);
}

#[test]
fn a_state_file_from_a_newer_version_is_refused_and_left_byte_for_byte() {
    let sb = Sandbox::new();
    sb.start_server("probe");
    let newer = br#"{"version": 99, "servers": {"somewhere": {"a shape": ["we do not know"]}}}"#;
    let path = sb.write_state(newer);
    let commands: &[&[&str]] = &[
        &["list"],
        &["list", "--json"],
        &["list", "--names", "--dead"],
        &["attach", "-d", "work"],
        &["cleanup"],
        &["forget", "probe"],
        &["forget", "--dead"],
        &["kill", "--yes", "probe"],
    ];
    for args in commands {
        let out = sb.run(args);
        assert_eq!(exit_code(&out), 1, "{args:?}: {}", describe(&out));
        assert_one_error_line(&out);
        assert!(
            stderr(&out).contains(path.to_str().unwrap()),
            "{args:?} must name the file: {}",
            describe(&out)
        );
        assert_eq!(fs::read(&path).unwrap(), newer, "{args:?} touched the file");
    }
    // No generation, no corrupt-copy, no temp file beside it (a lock or log is fine).
    for entry in fs::read_dir(sb.state_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            name == "sessions.json"
                || name.ends_with(".lock")
                || name.starts_with("thanos-tmux.log"),
            "{name} was written beside the file"
        );
    }
    assert_eq!(sb.sessions(), ["probe"], "a session was created or killed");
}

#[test]
fn a_state_folder_others_can_write_is_refused() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "work"]);
    let before = fs::read(sb.state_file()).unwrap();
    fs::set_permissions(sb.state_dir(), fs::Permissions::from_mode(0o777)).unwrap();
    for args in [&["list"][..], &["attach", "-d", "other"][..]] {
        let out = sb.run(args);
        assert_eq!(exit_code(&out), 1, "{args:?}: {}", describe(&out));
        assert_one_error_line(&out);
        let err = stderr(&out);
        assert!(err.contains(sb.state_dir().to_str().unwrap()), "{err}");
        assert!(err.contains("chmod 700"), "says how to fix it: {err}");
    }
    assert_eq!(fs::read(sb.state_file()).unwrap(), before);
    assert_eq!(sb.sessions(), ["work"]);
    assert_eq!(
        mode(&sb.state_dir()),
        0o777,
        "the folder was changed behind the user"
    );
}

#[test]
fn state_dir_env_overrides_xdg() {
    let sb = Sandbox::new();
    let custom = sb.root.join("custom-state");
    let out = sb
        .cmd(&["attach", "-d", "work"])
        .env("THANOS_TMUX_STATE_DIR", &custom)
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert!(custom.join("sessions.json").exists());
    assert!(!sb.state_file().exists());
}

#[test]
fn earlier_generations_are_kept() {
    let sb = Sandbox::new();
    for name in ["a", "b", "c", "d", "e"] {
        sb.ok(&["attach", "-d", name]);
    }
    for n in 1..=3 {
        let path = sb.state_dir().join(format!("sessions.json.{n}"));
        let text = fs::read_to_string(&path).unwrap_or_else(|_| panic!("{n} missing"));
        let _: serde_json::Value = serde_json::from_str(&text).unwrap();
    }
    assert!(!sb.state_dir().join("sessions.json.4").exists());
}
