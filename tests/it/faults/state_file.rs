//! The state file under fire: thanos-tmux killed with SIGKILL in the middle of state
//! writes while other writers run, and a state file edited by hand.

use super::{sigkill, state_problem, tmp_litter, windows_by_session};
use crate::support::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// ------------------------------------------------------------------ kill -9 storm

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
    // ones after it. Only the last has several windows (see the 30x3 tests in tmux_server.rs for more).
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
    // and work goes on.
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
