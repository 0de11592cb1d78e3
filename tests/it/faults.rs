//! Fault injection (issue 6, SPEC §3, §7, §11): thanos-tmux killed with SIGKILL in the
//! middle of state writes while other writers run, a read-only and a full state folder
//! (a small tmpfs mounted for the test), the tmux server killed in the middle of a
//! restore, and a state file edited by hand.
//!
//! Every process this file kills is one it spawned, by its pid. Mounts are undone when
//! the test ends (also when it fails).

use crate::support::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// ------------------------------------------------------------------ small tools

/// A small xorshift generator: random enough for timings, no extra dependency.
struct Rng(u64);

impl Rng {
    fn seeded(salt: u64) -> Rng {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        Rng((nanos ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// SIGKILL to a child this test spawned and has not reaped yet (so the pid cannot have
/// been reused by another process).
fn sigkill(pid: u32) {
    // SAFETY: kill(2) on a pid we own; a zombie ignores it.
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGKILL);
    }
}

/// Why the state file at `path` is not a valid state (None when it is).
fn state_problem(path: &Path) -> Option<String> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => return Some(format!("cannot read {}: {e}", path.display())),
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Err(e) => Some(format!(
            "{} does not parse ({e}): {:?}",
            path.display(),
            String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
        )),
        Ok(v) if v["version"] != 1 || !v["servers"].is_object() => {
            Some(format!("{} is not a version-1 state: {v}", path.display()))
        }
        Ok(_) => None,
    }
}

/// The `.sessions.json.tmp.*` files left in the state folder.
fn tmp_litter(sb: &Sandbox) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(sb.state_dir()) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".sessions.json.tmp."))
        })
        .collect()
}

/// Window names per session of the sandbox server, in window order.
fn windows_by_session(sb: &Sandbox) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if !sb.server_running() {
        return out;
    }
    let text = sb.tmux_ok(&[
        "list-windows",
        "-a",
        "-F",
        "#{q:session_name}|#{q:window_name}>",
    ]);
    for f in thanos_tmux::tmux::format::records(&text).expect("list-windows output") {
        out.entry(f[0].clone()).or_default().push(f[1].clone());
    }
    out
}

/// Ends the sandbox server with SIGKILL (a crash) and waits until it is gone.
fn crash_server(sb: &Sandbox) {
    if let Some(pid) = sb.server_pid() {
        sigkill(pid);
        assert!(
            wait_for(|| pid_gone(pid), Duration::from_secs(5)),
            "tmux server {pid} survived SIGKILL"
        );
    }
    assert!(wait_for(|| !sb.server_running(), Duration::from_secs(5)));
}

/// The pid of the sandbox's tmux server, found in /proc without asking tmux: a server
/// busy with a long batched call answers no other client until it is done, so asking
/// it would only ever see the restore finished.
fn server_pid_from_proc(sb: &Sandbox) -> Option<u32> {
    let wanted = format!("TMUX_TMPDIR={}\0", sb.tmux_tmpdir.display());
    for entry in fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let is_server = fs::read_to_string(entry.path().join("comm"))
            .is_ok_and(|c| c.trim_end() == "tmux: server");
        if !is_server || pid_gone(pid) {
            continue;
        }
        let environ = fs::read(entry.path().join("environ")).unwrap_or_default();
        if String::from_utf8_lossy(&environ).contains(&wanted) {
            return Some(pid);
        }
    }
    None
}

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

// ------------------------------------------------------------------ kill -9 storm

/// What one writer loop saw.
#[derive(Default)]
struct Tally {
    /// Names whose `attach -d` exited 0: they must be recorded.
    attached: Vec<String>,
    /// Names whose `forget` exited 0: they must stay gone.
    forgotten: Vec<String>,
    killed: usize,
    checks: usize,
    problems: Vec<String>,
    runs: usize,
    typical_ms: u64,
}

/// Which writer a loop runs.
#[derive(Clone, Copy, PartialEq)]
enum Writer {
    /// `attach --detached wI-N`, a new name each time.
    Attach,
    /// `save`: rewrites the records of every live session.
    Save,
    /// `forget pN`: drops planted records, a write with no tmux call around it.
    Forget,
}

const POOL: usize = 400;

#[test]
fn sigkill_during_state_writes_never_corrupts_the_file_nor_loses_a_finished_record() {
    const WRITERS: [Writer; 8] = [
        Writer::Attach,
        Writer::Attach,
        Writer::Attach,
        Writer::Attach,
        Writer::Attach,
        Writer::Attach,
        Writer::Save,
        Writer::Forget,
    ];
    const WANT_KILLS: usize = 230;
    const MIN_RUN: Duration = Duration::from_secs(3);
    const MAX_RUN: Duration = Duration::from_secs(30);

    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "seed"]);
    // Planted records for the `forget` writer.
    let mut planted = sb.state_json();
    let key = sb.socket_path().to_string_lossy().into_owned();
    let sessions = planted["servers"][key.as_str()]["sessions"]
        .as_object_mut()
        .unwrap();
    for n in 0..POOL {
        let name = format!("p{n:04}");
        let record = serde_json::json!({"name": name, "created": 1, "start_dir": "/"});
        sessions.insert(name, record);
    }
    sb.write_state(serde_json::to_string_pretty(&planted).unwrap().as_bytes());

    let state = sb.state_file();
    let kills = AtomicUsize::new(0);
    let start = Instant::now();
    let stop = || {
        let elapsed = start.elapsed();
        elapsed >= MAX_RUN || (elapsed >= MIN_RUN && kills.load(Ordering::Relaxed) >= WANT_KILLS)
    };
    let tallies: Vec<Tally> = std::thread::scope(|scope| {
        let handles: Vec<_> = WRITERS
            .iter()
            .enumerate()
            .map(|(i, &writer)| {
                let (sb, state, kills, stop) = (&sb, &state, &kills, &stop);
                scope.spawn(move || {
                    let mut rng = Rng::seeded(i as u64 + 1);
                    let mut tally = Tally::default();
                    // Typical run time of one process, to aim the kills inside it.
                    let mut typical_us: u64 = 30_000;
                    let mut n = 0;
                    let pool_done = |n: usize| writer == Writer::Forget && n >= POOL;
                    while !stop() && !pool_done(n) {
                        let (args, name) = match writer {
                            Writer::Attach => {
                                let name = format!("w{i}-{n:04}");
                                (
                                    vec!["attach".into(), "--detached".into(), name.clone()],
                                    name,
                                )
                            }
                            Writer::Save => (vec!["save".to_string()], String::new()),
                            Writer::Forget => {
                                let name = format!("p{n:04}");
                                (vec!["forget".into(), name.clone()], name)
                            }
                        };
                        n += 1;
                        let began = Instant::now();
                        let child = sb
                            .cmd(&args)
                            .stdout(Stdio::null())
                            .stderr(Stdio::piped())
                            .spawn()
                            .expect("spawn thanos-tmux");
                        if rng.below(100) < 70 {
                            let at = rng.below(typical_us * 13 / 10);
                            std::thread::sleep(Duration::from_micros(at));
                            sigkill(child.id());
                        }
                        let out = child.wait_with_output().expect("wait thanos-tmux");
                        if out.status.signal() == Some(libc::SIGKILL) {
                            tally.killed += 1;
                            kills.fetch_add(1, Ordering::Relaxed);
                            // Cheap enough to do after every kill: the file must parse.
                            tally.checks += 1;
                            if let Some(problem) = state_problem(state) {
                                tally.problems.push(format!("after a kill: {problem}"));
                            }
                        } else if out.status.success() {
                            let us = began.elapsed().as_micros() as u64;
                            typical_us = (typical_us * 3 + us) / 4;
                            match writer {
                                Writer::Attach => tally.attached.push(name),
                                Writer::Forget => tally.forgotten.push(name),
                                Writer::Save => {}
                            }
                        } else {
                            tally
                                .problems
                                .push(format!("{args:?} failed: {}", describe(&out)));
                        }
                    }
                    tally.runs = n;
                    tally.typical_ms = typical_us / 1000;
                    tally
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = start.elapsed();

    let killed: usize = tallies.iter().map(|t| t.killed).sum();
    let checks: usize = tallies.iter().map(|t| t.checks).sum();
    let attached: BTreeSet<String> = tallies
        .iter()
        .flat_map(|t| t.attached.iter().cloned())
        .collect();
    let forgotten: BTreeSet<String> = tallies
        .iter()
        .flat_map(|t| t.forgotten.iter().cloned())
        .collect();
    let problems: Vec<&String> = tallies.iter().flat_map(|t| &t.problems).collect();
    let litter = tmp_litter(&sb);
    let per_loop: Vec<String> = tallies
        .iter()
        .map(|t| format!("{} runs/{} killed/~{} ms", t.runs, t.killed, t.typical_ms))
        .collect();
    println!("kill storm loops: {per_loop:?}");
    println!(
        "kill storm: {} ms, {killed} processes SIGKILLed, {} attaches and {} forgets \
         finished, {checks} state checks after kills, {} temp files left",
        elapsed.as_millis(),
        attached.len(),
        forgotten.len(),
        litter.len()
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{problems:#?}",
        problems.len()
    );
    assert!(
        killed >= 200,
        "only {killed} kills in {elapsed:?}: too few to mean anything"
    );

    // The file parses, every generation too, and no finished write was lost.
    assert_eq!(state_problem(&state), None);
    for n in 1..=3 {
        let generation = state.with_file_name(format!("sessions.json.{n}"));
        if generation.exists() {
            assert_eq!(state_problem(&generation), None, "generation {n}");
        }
    }
    let records = sb.records();
    let recorded: BTreeSet<String> = records.keys().cloned().collect();
    let lost: Vec<&String> = attached.difference(&recorded).collect();
    assert!(
        lost.is_empty(),
        "{} of {} finished attaches lost their record: {lost:?}",
        lost.len(),
        attached.len()
    );
    let back: Vec<&String> = forgotten.intersection(&recorded).collect();
    assert!(back.is_empty(), "finished forgets undone: {back:?}");
    for (key, record) in &records {
        assert_eq!(record["name"], key.as_str(), "record under {key}: {record}");
    }
    println!(
        "kill storm: {} records checked present, {} checked absent",
        attached.len(),
        forgotten.len()
    );

    // Litter from killed writers (and a planted one) breaks nothing: the next write works.
    fs::write(
        sb.state_dir().join(".sessions.json.tmp.1"),
        b"{ half a file",
    )
    .unwrap();
    sb.ok(&["attach", "-d", "after-the-storm"]);
    assert_eq!(state_problem(&state), None);
    assert!(sb.recorded().contains(&"after-the-storm".to_string()));
    let listed: Value = serde_json::from_str(&sb.ok(&["list", "--json"])).unwrap();
    let alive: BTreeSet<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["alive"] == true)
        .filter_map(|s| s["name"].as_str())
        .collect();
    for name in &attached {
        assert!(alive.contains(name.as_str()), "{name} not listed alive");
    }
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
    crash_server(&sb);
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
    // at most one line of explanation (SPEC §6).
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

// ------------------------------------------------------------------ restore vs. crash

const SESSIONS: usize = 30;

fn session_names() -> Vec<String> {
    (0..SESSIONS).map(|i| format!("r{i:02}")).collect()
}

/// 30 sessions of 3 windows (`one`, `two`, `three`), created through the binary and
/// recorded with `save`. Their folder has a long name, so that the restore needs more
/// than one batched tmux call (a crash can then also fall between two calls).
fn build_thirty_by_three(sb: &Sandbox) {
    let names = session_names();
    let dir = sb.mkdir(format!("work {}", "long-folder-name-".repeat(11)));
    let dir = dir.to_string_lossy().into_owned();
    for name in &names {
        sb.ok(&["attach", "-d", name, "-c", &dir]);
    }
    let mut args: Vec<String> = Vec::new();
    for name in &names {
        let target = format!("={name}:");
        args.extend(["rename-window", "-t", &target, "one", ";"].map(String::from));
        for window in ["two", "three"] {
            args.extend(
                [
                    "new-window",
                    "-d",
                    "-t",
                    &target,
                    "-n",
                    window,
                    "-c",
                    &dir,
                    ";",
                ]
                .map(String::from),
            );
        }
    }
    args.pop();
    sb.tmux_ok(&args);
    sb.ok(&["save"]);
    for name in &names {
        let windows = sb.records()[name]["layout"]["windows"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(windows, 3, "{name} was saved with {windows} windows");
    }
}

/// Every recorded session exists once with its three windows, and nothing else does.
fn assert_restored_exactly(sb: &Sandbox, when: &str) {
    let names = session_names();
    let mut live = sb.sessions();
    live.sort();
    let unique: BTreeSet<&String> = live.iter().collect();
    assert_eq!(
        unique.len(),
        live.len(),
        "{when}: duplicate sessions {live:?}"
    );
    assert_eq!(live, names, "{when}: sessions");
    assert_eq!(sb.recorded(), names, "{when}: records");
    let windows = windows_by_session(sb);
    let wrong: Vec<String> = windows
        .iter()
        .filter(|(_, w)| *w != &["one", "two", "three"])
        .map(|(s, w)| format!("{s}: {w:?}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "{when}: {} of {} sessions do not have exactly their windows one, two, three:\n{}",
        wrong.len(),
        names.len(),
        wrong[..wrong.len().min(4)].join("\n")
    );
}

#[test]
fn restore_of_thirty_sessions_of_three_windows_rebuilds_each_exactly() {
    // The control for the crash test below: without a fault, one restore is exact.
    let sb = Sandbox::new();
    build_thirty_by_three(&sb);
    crash_server(&sb);
    let started = Instant::now();
    sb.ok(&["restore"]);
    println!("restore of 30x3: {} ms", started.elapsed().as_millis());
    assert_restored_exactly(&sb, "after one restore");
}

#[test]
fn tmux_killed_in_the_middle_of_restore_then_a_second_restore_finishes_without_duplicates() {
    let sb = Sandbox::new();
    build_thirty_by_three(&sb);
    // Kill delays after the new server's pid appears; a round where the restore won the
    // race is retried with the next delay.
    let delays_ms = [0u64, 40, 100, 20, 160, 70, 5, 250, 130, 10, 60, 200];
    let mut interrupted = 0;
    let mut rounds = 0;
    for delay in delays_ms {
        if interrupted >= 4 {
            break;
        }
        rounds += 1;
        crash_server(&sb);
        let restore = sb
            .cmd(&["restore"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn restore");
        // Polled every millisecond: the whole restore takes a few hundred.
        let polling = Instant::now();
        let pid = loop {
            if let Some(pid) = server_pid_from_proc(&sb) {
                break pid;
            }
            assert!(
                polling.elapsed() < Duration::from_secs(10),
                "restore never started a server"
            );
            std::thread::sleep(Duration::from_millis(1));
        };
        std::thread::sleep(Duration::from_millis(delay));
        sigkill(pid);
        let out = restore.wait_with_output().unwrap();
        assert!(wait_for(|| pid_gone(pid), Duration::from_secs(5)));
        let err = stderr(&out);
        assert!(
            !err.contains("panicked"),
            "restore panicked:\n{}",
            describe(&out)
        );
        if out.status.success() {
            println!("round {rounds} (kill after {delay} ms): the restore finished first");
            continue;
        }
        interrupted += 1;
        assert_one_error_line(&out);
        let survivors = sb.sessions().len();
        println!(
            "round {rounds} (kill after {delay} ms): restore interrupted (exit {}: {}), \
             {survivors} sessions on a server started after the kill",
            exit_code(&out),
            err.trim()
        );
        // The records survive the crash, and the second restore finishes the job.
        assert_eq!(sb.recorded(), session_names(), "records after the crash");
        let second = sb.run(&["restore"]);
        assert_eq!(exit_code(&second), 0, "{}", describe(&second));
        assert_restored_exactly(&sb, &format!("round {rounds}, after the second restore"));
        // And a third changes nothing.
        sb.ok(&["restore"]);
        assert_restored_exactly(&sb, &format!("round {rounds}, after a third restore"));
    }
    println!("restore crash: {interrupted} interrupted restores in {rounds} rounds");
    assert!(
        interrupted >= 1,
        "the restore always finished before the kill"
    );
}

// ------------------------------------------------------------------ hand-edited state

/// Writes `sessions` (name → record JSON) as the sandbox server's records.
fn write_records(sb: &Sandbox, sessions: Value) {
    let key = sb.socket_path().to_string_lossy().into_owned();
    let state = serde_json::json!({
        "version": 1,
        "servers": { key: { "sessions": sessions } }
    });
    sb.write_state(serde_json::to_string_pretty(&state).unwrap().as_bytes());
}

fn assert_no_panic(out: &std::process::Output, what: &str) {
    let err = stderr(out);
    assert!(
        !err.contains("panicked") && !err.contains("stack backtrace"),
        "{what} panicked:\n{}",
        describe(out)
    );
    assert!(
        err.lines().all(|l| l.starts_with("thanos-tmux:")),
        "{what}: stray output on stderr:\n{}",
        describe(out)
    );
}

#[test]
fn a_hand_edited_state_file_never_crashes_restore_list_or_cleanup() {
    let sb = Sandbox::new();
    let tmp = sb.mkdir("tmp");
    let tmp = tmp.to_string_lossy();
    // Restored in name order: the bogus record comes early, so that it could stop the
    // ones after it. Only the last has several windows (see the 30x3 test for more).
    write_records(
        &sb,
        serde_json::json!({
            "a-good": {"name": "a-good", "created": 1, "start_dir": tmp, "layout": {"windows": [
                {"index": 0, "name": "g0", "layout": "", "active": true,
                 "panes": [{"index": 0, "cwd": tmp}]}]}},
            "b-huge": {"name": "b-huge", "created": -5, "layout": {"windows": [
                {"index": 4_000_000_000u64, "name": "h0", "layout": "not a layout",
                 "active": true, "width": 4_294_967_295u64, "height": 4_294_967_295u64,
                 "panes": [{"index": 0, "cwd": "/"}, {"index": 7, "cwd": ""}]}]}},
            "c-no-layout": {"name": "c-no-layout", "created": 1},
            "d-nodir": {"name": "d-nodir", "created": 1, "start_dir": "/does/not/exist",
                "layout": {"windows": [{"index": 0, "name": "n0", "layout": "",
                    "active": true, "panes": [{"index": 0, "cwd": "/also/missing"}]}]}},
            "e-renamed-by-hand": {"name": "e-other-name", "created": 1},
            "z-empty-panes": {"name": "z-empty-panes", "created": 1, "layout": {"windows": [
                {"index": 0, "name": "e0", "layout": "", "active": false, "panes": []},
                {"index": 1, "name": "e1", "layout": "", "active": true, "panes": []}]}}
        }),
    );
    let out = sb.run(&["list", "--json"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_no_panic(&out, "list");
    let listed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(listed.as_array().map_or(0, Vec::len), 6, "{listed}");

    let out = sb.run(&["restore"]);
    assert_no_panic(&out, "restore");
    println!(
        "hand-edited restore: exit {}, said {:?}",
        exit_code(&out),
        stderr(&out).trim()
    );
    let windows = windows_by_session(&sb);
    // A bogus record is restored sanely or reported by name; either way it does not
    // stop the sane records, which come back whole.
    let mut problems = Vec::new();
    let mut expect = |name: &str, want: &[&str]| {
        let got = windows.get(name);
        let ok = match want {
            [] => got.is_some_and(|w| w.len() == 1),
            _ => got.is_some_and(|w| w == want),
        };
        if !ok {
            problems.push(format!("{name}: windows {got:?}, want {want:?}"));
        }
    };
    expect("a-good", &["g0"]);
    expect("c-no-layout", &[]);
    expect("d-nodir", &["n0"]);
    expect("z-empty-panes", &["e0", "e1"]);
    if !windows.contains_key("b-huge") && !stderr(&out).contains("b-huge") {
        problems.push("b-huge was not restored and the message does not name it".into());
    }
    assert!(
        problems.is_empty(),
        "restore of a hand-edited state:\n{}\nlive: {windows:?}\n{}",
        problems.join("\n"),
        describe(&out)
    );

    // A second restore creates nothing twice.
    let out = sb.run(&["restore"]);
    assert_no_panic(&out, "second restore");
    assert_eq!(
        windows_by_session(&sb),
        windows,
        "the second restore changed things"
    );

    for args in [
        &["list"][..],
        &["list", "--names", "--dead"],
        &["cleanup", "--dry-run", "--json"],
        &["cleanup"],
        &["status", "--json"],
    ] {
        let out = sb.run(args);
        assert_eq!(exit_code(&out), 0, "{args:?}: {}", describe(&out));
        assert_no_panic(&out, &format!("{args:?}"));
    }
    assert_eq!(state_problem(&sb.state_file()), None);
}

#[test]
fn a_record_deleted_by_hand_while_the_server_runs_is_harmless() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "keep"]);
    sb.ok(&["attach", "-d", "gone"]);
    let mut state = sb.state_json();
    let key = sb.socket_path().to_string_lossy().into_owned();
    state["servers"][key.as_str()]["sessions"]
        .as_object_mut()
        .unwrap()
        .remove("gone");
    sb.write_state(serde_json::to_string_pretty(&state).unwrap().as_bytes());

    let listed: Value = serde_json::from_str(&sb.ok(&["list", "--json"])).unwrap();
    let gone = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "gone")
        .cloned()
        .unwrap_or_default();
    assert_eq!(gone["alive"], true, "{listed}");
    assert_eq!(gone["managed"], false, "{listed}");
    let report: Value = serde_json::from_str(&sb.ok(&["cleanup", "--json"])).unwrap();
    assert_eq!(report["removed"], serde_json::json!([]));
    assert_eq!(sb.sessions_sorted(), ["gone", "keep"]);
    assert_eq!(sb.ok(&["restore"]), "");
    assert_eq!(sb.sessions_sorted(), ["gone", "keep"]);
    // A save makes it managed again.
    sb.ok(&["save"]);
    assert_eq!(sb.recorded(), ["gone", "keep"]);
}

#[test]
fn a_record_missing_a_required_field_is_set_aside_with_one_warning() {
    let sb = Sandbox::new();
    // `created` is required: the file does not parse as a state, so it is moved aside
    // (SPEC §3) and work goes on.
    write_records(
        &sb,
        serde_json::json!({"broken": {"name": "broken", "start_dir": "/"}}),
    );
    let out = sb.run(&["list", "--json"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_no_panic(&out, "list");
    assert_eq!(stderr(&out).lines().count(), 1, "{}", describe(&out));
    assert!(stderr(&out).contains("corrupt"), "{}", describe(&out));
    assert_eq!(sb.find("sessions.json.corrupt-").len(), 1);
    sb.ok(&["attach", "-d", "fresh"]);
    assert_eq!(sb.recorded(), ["fresh"]);
}
