//! A state folder that cannot be written: read-only and full (a small tmpfs mounted for
//! the test). Mounts are undone when the test ends (also when it fails).

use super::{state_problem, tmp_litter};
use crate::support::*;
use serde_json::Value;
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

// ------------------------------------------------------------------ tmpfs mounts

/// A tmpfs mounted on the sandbox's state folder for one test, unmounted on drop.
/// Declare it after the Sandbox so that it is dropped (unmounted) first.
///
/// Mounting needs root (or CAP_SYS_ADMIN). Where it is refused and the tests do not run
/// as root, a read-only folder is made with `chmod 0500` instead (root ignores modes, so
/// root must be able to mount); a full folder needs the mount.
struct StateMount {
    dir: PathBuf,
    mounted: bool,
}

impl StateMount {
    /// Mounts a private (0700) tmpfs of `size` on the state folder, read-write.
    fn new(sb: &Sandbox, size: &str) -> StateMount {
        Self::try_new(sb, size).unwrap_or_else(|why| panic!("{why}"))
    }

    /// Like `new`, falling back to a plain folder when mounting is not permitted and
    /// a mode can stand in for a read-only mount.
    fn or_chmod(sb: &Sandbox, size: &str) -> StateMount {
        match Self::try_new(sb, size) {
            Ok(mount) => mount,
            // SAFETY: getuid has no preconditions.
            Err(why) if unsafe { libc::getuid() } != 0 => {
                println!("no tmpfs ({why}); falling back to chmod 0500");
                StateMount {
                    dir: sb.state_dir(),
                    mounted: false,
                }
            }
            Err(why) => panic!("{why}"),
        }
    }

    fn try_new(sb: &Sandbox, size: &str) -> Result<StateMount, String> {
        let dir = sb.state_dir();
        fs::create_dir_all(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700")])
            .arg("tmpfs")
            .arg(&dir)
            .output()
            .expect("run mount");
        if !out.status.success() {
            return Err(format!(
                "these fault tests mount a small tmpfs on the state folder and need root \
                 (or CAP_SYS_ADMIN) for it; mount said: {}",
                stderr(&out).trim()
            ));
        }
        Ok(StateMount { dir, mounted: true })
    }

    /// Makes the folder read-only: remounts it (retrying while a hook still has a file
    /// open for writing), or takes the write bit away.
    fn read_only(&self) {
        if !self.mounted {
            fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o500)).unwrap();
            return;
        }
        let mut last = None;
        let done = wait_for(
            || {
                let out = Command::new("mount")
                    .args(["-o", "remount,ro"])
                    .arg(&self.dir)
                    .output()
                    .expect("run mount");
                let ok = out.status.success();
                last = Some(out);
                ok
            },
            Duration::from_secs(10),
        );
        assert!(done, "remount ro:\n{}", describe(&last.unwrap()));
    }
}

impl Drop for StateMount {
    fn drop(&mut self) {
        if !self.mounted {
            let _ = fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700));
            return;
        }
        let ok = Command::new("umount")
            .arg(&self.dir)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            // Busy (a hook still holds a file there): detach it lazily.
            let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        }
    }
}

/// Asserts one error line, exit 1, that names the state folder.
fn assert_clear_state_error(sb: &Sandbox, args: &[&str], out: &std::process::Output) {
    assert_eq!(exit_code(out), 1, "{args:?}: {}", describe(out));
    assert_one_error_line(out);
    let dir = sb.state_dir().to_string_lossy().into_owned();
    assert!(
        stderr(out).contains(&dir),
        "{args:?}: the error must name the state file or folder ({dir}):\n{}",
        describe(out)
    );
}

// ------------------------------------------------------------------ read-only folder

/// A new session on a state folder that cannot be written: the session comes first
/// (a terminal must get its home), the record is lost with one warning naming the file.
fn assert_created_but_unrecorded(sb: &Sandbox, name: &str) {
    let out = sb.run(&["attach", "-d", name]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let dir = sb.state_dir().to_string_lossy().into_owned();
    let err = stderr(&out);
    let warning: Vec<&str> = err.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warning.len(), 1, "{}", describe(&out));
    assert!(
        warning[0].contains(&dir) && warning[0].contains(name),
        "{}",
        describe(&out)
    );
    assert!(sb.has_session(name));
}

/// Commands that must write the state file (`recorded`: a recorded name to forget).
fn writers(recorded: &str) -> Vec<Vec<&str>> {
    vec![vec!["forget", recorded], vec!["save"]]
}

#[test]
fn a_read_only_state_folder_gives_one_clear_line_and_reads_still_work() {
    let sb = Sandbox::new();
    let mount = StateMount::or_chmod(&sb, "64k");
    sb.ok(&["attach", "-d", "keep"]);
    sb.ok(&["attach", "-d", "other"]);
    sb.ok(&["save"]);
    let before = fs::read(sb.state_file()).unwrap();
    mount.read_only();

    for args in writers("keep") {
        let out = sb.run(&args);
        assert_clear_state_error(&sb, &args, &out);
    }
    assert_created_but_unrecorded(&sb, "brand-new");
    assert_eq!(fs::read(sb.state_file()).unwrap(), before);

    // Reading needs no write.
    let listed: Value = serde_json::from_str(&sb.ok(&["list", "--json"])).unwrap();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(
        names.contains(&"keep") && names.contains(&"other"),
        "{listed}"
    );
    assert!(sb.ok(&["list"]).contains("keep"));
    assert!(sb.ok(&["list", "--names"]).lines().any(|l| l == "keep"));
    assert_eq!(sb.ok(&["name"]).trim(), "thanos-main");
    sb.ok(&["status", "--json"]);
    let dry: Value = serde_json::from_str(&sb.ok(&["cleanup", "--dry-run", "--json"])).unwrap();
    assert_eq!(dry["removed"], serde_json::json!([]));
    // An existing, recorded session needs no write either.
    sb.ok(&["attach", "-d", "keep"]);
    assert_eq!(fs::read(sb.state_file()).unwrap(), before);
    // A kill kills: only the record stays, with a warning that says why.
    let out = sb.run(&["kill", "--yes", "other"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert!(
        stderr(&out).contains("could not update the records"),
        "{}",
        describe(&out)
    );
    assert!(!sb.has_session("other"));
}

#[test]
fn a_read_only_state_folder_still_lists_after_a_server_restart() {
    // After a crash the records name the old server, so `list` would like to refresh
    // them; on a read-only folder it must still show the sessions.
    let sb = Sandbox::new();
    let mount = StateMount::or_chmod(&sb, "64k");
    sb.ok(&["attach", "-d", "keep"]);
    sb.ok(&["attach", "-d", "other"]);
    sb.crash_server();
    sb.start_server("keep");
    // Read once nothing can write any more (a hook of the crash may still be saving).
    mount.read_only();
    let before = fs::read(sb.state_file()).unwrap();

    for args in [
        &["list", "--json"][..],
        &["list"],
        &["list", "--names"],
        &["status", "--json"],
        &["cleanup", "--dry-run"],
    ] {
        let out = sb.run(args);
        assert_eq!(
            exit_code(&out),
            0,
            "{args:?} only reads, yet fails on a read-only state folder:\n{}",
            describe(&out)
        );
    }
    let listed: Value = serde_json::from_str(&sb.ok(&["list", "--json"])).unwrap();
    let keep = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "keep")
        .cloned()
        .unwrap_or_default();
    assert_eq!(keep["alive"], true, "{listed}");
    assert_eq!(fs::read(sb.state_file()).unwrap(), before);
}

#[test]
fn a_read_only_state_folder_does_not_break_the_login() {
    use crate::shell_support::*;
    let sb = Sandbox::new();
    let mount = StateMount::or_chmod(&sb, "64k");
    // Something recorded, so the folder holds a real state; thanos-main is not there yet.
    sb.ok(&["attach", "-d", "keep"]);
    mount.read_only();

    let prompt = Sh::Bash.prompt("");
    let term = Shell::new(&sb, Sh::Bash).spawn();
    // Either the terminal attaches anyway, or it falls through to a working prompt with
    // at most one line of explanation.
    let settled = wait_for(
        || one_client_on(&sb, "thanos-main") || last_line(&term.screen()) == prompt,
        T,
    );
    assert!(settled, "neither attached nor a prompt:\n{}", term.screen());
    if one_client_on(&sb, "thanos-main") {
        println!("read-only login: attached to thanos-main");
    } else {
        let screen = term.screen();
        let said = noise(&screen, &prompt);
        assert!(
            said.len() <= 1 && said.iter().all(|l| l.starts_with("thanos-tmux:")),
            "more than one line at login:\n{screen}"
        );
        println!("read-only login: plain prompt; said {said:?}");
        assert_loaded_and_working(&term, Sh::Bash, "ro", &prompt);
    }
}

// ------------------------------------------------------------------ full folder

#[test]
fn a_full_state_folder_gives_one_clear_line_and_keeps_the_file_byte_for_byte() {
    let sb = Sandbox::new();
    let _mount = StateMount::new(&sb, "32k");
    sb.ok(&["attach", "-d", "a"]);
    sb.ok(&["attach", "-d", "b"]);
    let before = fs::read(sb.state_file()).unwrap();
    // Fill what is left of the folder.
    let mut junk = fs::File::create(sb.state_dir().join("junk")).unwrap();
    let block = [b'j'; 512];
    while junk.write_all(&block).is_ok() {}
    drop(junk);

    assert_created_but_unrecorded(&sb, "x");
    assert_eq!(
        fs::read(sb.state_file()).unwrap(),
        before,
        "the state file changed"
    );
    for args in writers("a") {
        let out = sb.run(&args);
        assert_clear_state_error(&sb, &args, &out);
    }
    assert_eq!(
        fs::read(sb.state_file()).unwrap(),
        before,
        "the state file changed"
    );
    assert_eq!(state_problem(&sb.state_file()), None);
    assert_eq!(sb.recorded(), ["a", "b"]);
    assert!(tmp_litter(&sb).is_empty(), "{:?}", tmp_litter(&sb));
    // Reads still work.
    assert!(sb.ok(&["list", "--names"]).lines().any(|l| l == "a"));
    // Room again: the next write works.
    fs::remove_file(sb.state_dir().join("junk")).unwrap();
    sb.ok(&["attach", "-d", "x"]);
    assert_eq!(sb.recorded(), ["a", "b", "x"]);
}
