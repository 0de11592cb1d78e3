//! Load: 1000 sessions in one server stay listed, completed and
//! cleaned up correctly and quickly; 100 shells starting at the same moment through the
//! real bash snippet all end up attached to one `thanos-main`, silently.
//!
//! The bounds are generous (correctness under load, not a benchmark); the measured times
//! are printed (`cargo test --test it load:: -- --nocapture`).

use crate::shell_support::{path_with, Sh};
use crate::support::*;
use serde_json::Value;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

/// Runs the binary, asserts exit 0 and the time bound, prints the time; returns stdout.
fn timed(sb: &Sandbox, args: &[&str], bound: Duration) -> String {
    let start = Instant::now();
    let out = sb.run(args);
    let took = start.elapsed();
    println!("1000 sessions: {args:?} took {} ms", took.as_millis());
    assert_eq!(exit_code(&out), 0, "{args:?}: {}", describe(&out));
    assert!(took < bound, "{args:?} took {took:?} (bound {bound:?})");
    stdout(&out)
}

#[test]
fn a_thousand_sessions_are_listed_completed_and_kept_by_cleanup() {
    const N: usize = 1000;
    const BOUND: Duration = Duration::from_secs(5);
    let sb = Sandbox::new();
    let names: Vec<String> = (0..N).map(|i| format!("s{i:04}")).collect();

    // A few batched raw tmux calls (tmux 3.7 takes 1000 arguments a call), cheap panes.
    let start = Instant::now();
    for (k, chunk) in names.chunks(190).enumerate() {
        let mut args: Vec<&str> = Vec::new();
        if k == 0 {
            args.extend([
                "start-server",
                ";",
                "set",
                "-g",
                "default-shell",
                "/bin/sh",
                ";",
            ]);
        }
        for name in chunk {
            args.extend(["new-session", "-d", "-s", name, ";"]);
        }
        args.pop();
        sb.tmux_ok(&args);
    }
    println!(
        "1000 sessions: created by raw tmux in {} ms",
        start.elapsed().as_millis()
    );
    assert_eq!(sb.sessions().len(), N);

    timed(&sb, &["save"], BOUND);
    assert_eq!(sb.recorded(), names);

    let listed: Value = serde_json::from_str(&timed(&sb, &["list", "--json"], BOUND)).unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), N);
    assert!(listed
        .iter()
        .all(|s| s["alive"] == true && s["managed"] == true && s["windows"] == 1));
    let listed_names: Vec<&str> = listed.iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(listed_names, names);

    let completion = timed(&sb, &["list", "--names"], BOUND);
    let mut completed: Vec<&str> = completion.lines().collect();
    completed.sort_unstable();
    assert_eq!(completed, names);
    assert_eq!(timed(&sb, &["list", "--names", "--dead"], BOUND), "");

    let report: Value =
        serde_json::from_str(&timed(&sb, &["cleanup", "--dry-run", "--json"], BOUND)).unwrap();
    assert_eq!(report["removed"], serde_json::json!([]), "{report}");
    let report: Value = serde_json::from_str(&timed(&sb, &["cleanup", "--json"], BOUND)).unwrap();
    assert_eq!(report["removed"], serde_json::json!([]), "{report}");
    assert_eq!(sb.recorded().len(), N);

    timed(&sb, &["attach", "-d", "s0500"], BOUND);
    timed(&sb, &["attach", "-d", "one-more"], BOUND);
    assert_eq!(sb.sessions().len(), N + 1);
    assert_eq!(sb.recorded().len(), N + 1);
    sb.crash_server();
}

#[test]
fn a_hundred_shells_starting_at_once_all_attach_to_one_thanos_main() {
    // Every terminal on the one session itself: second terminals share it.
    shells_starting_at_once(100, "share", Duration::from_secs(40));
}

#[test]
fn twenty_shells_starting_at_once_each_get_a_session_in_one_group() {
    // Second terminals get sessions of their own in thanos-main's group, named so
    // that terminals starting at the same moment never pick the same name.
    shells_starting_at_once(20, "group", Duration::from_secs(20));
}

/// Starts `shells` interactive bash shells with the rc line in one call: every one
/// attaches (to thanos-main, or with `second_terminal = "group"` to a session of its
/// group), only thanos-main is recorded, and no shell is told anything.
fn shells_starting_at_once(shells: usize, second_terminal: &str, limit: Duration) {
    let sb = Sandbox::new();
    sb.write_config(&format!("second_terminal = \"{second_terminal}\"\n"));
    let prompt = Sh::Bash.prompt("");

    // The documented rc line, and a launcher per pane: TMUX unset, the sandbox's tmux
    // and bin, an interactive bash in HOME.
    let rc = sb.root.join("rc100");
    fs::write(
        &rc,
        format!(
            "PS1=\"TT${{TT_TAG-}}-bash> \"\n{}\n",
            Sh::Bash.init_line("")
        ),
    )
    .unwrap();
    let launcher = sb.root.join("launch100.sh");
    fs::write(
        &launcher,
        format!(
            "#!/bin/sh\nunset TMUX TMUX_PANE\nexport TMUX_TMPDIR={}\nexport PATH={}\ncd {} || exit 1\nexec {} --rcfile {} -i\n",
            sh_quote(&sb.tmux_tmpdir.to_string_lossy()),
            sh_quote(&path_with(&sb, None)),
            sh_quote(&sb.home.to_string_lossy()),
            sh_quote(&Sh::Bash.program().to_string_lossy()),
            sh_quote(&rc.to_string_lossy()),
        ),
    )
    .unwrap();
    fs::set_permissions(&launcher, fs::Permissions::from_mode(0o755)).unwrap();

    // One outer terminal server; its first pane idles, the 100 shells start in one call.
    let term = Terminal::new(&sb);
    let launcher = launcher.to_string_lossy().into_owned();
    let mut args: Vec<&str> = Vec::new();
    for _ in 0..shells {
        args.extend(["new-window", "-d", "-t", "=term:", &launcher, ";"]);
    }
    args.pop();
    let start = Instant::now();
    term.outer(&args);

    let mut last = Vec::new();
    let all = wait_for(
        || {
            last = sb.clients();
            last.len() == shells
        },
        limit,
    );
    let took = start.elapsed();
    let outer_windows: Vec<String> = term
        .outer(&["list-windows", "-t", "=term", "-F", "#{window_index}"])
        .lines()
        .map(str::to_string)
        .collect();
    let panes = &outer_windows[1..];
    assert_eq!(panes.len(), shells);
    let screen_of = |w: &str| term.outer(&["capture-pane", "-p", "-t", &format!("=term:{w}")]);
    if !all {
        let plain: Vec<String> = panes
            .iter()
            .map(|w| screen_of(w))
            .filter(|s| s.contains(&prompt))
            .take(3)
            .collect();
        panic!(
            "{} of {shells} shells attached within {took:?}; sessions {:?}; some plain \
             shells:\n{}",
            last.len(),
            sb.sessions(),
            plain.join("\n-----\n")
        );
    }
    println!("{shells} shells: all attached in {} ms", took.as_millis());
    let in_group = |session: &str| {
        session == "thanos-main"
            || (second_terminal == "group"
                && session.starts_with("thanos-main~")
                && sb.session_format(session, "session_group").as_deref() == Some("thanos-main"))
    };
    assert!(
        last.iter().all(|(_, session)| in_group(session)),
        "{last:?}"
    );
    assert!(
        sb.sessions().iter().all(|s| in_group(s)),
        "{:?}",
        sb.sessions()
    );
    assert_eq!(sb.recorded(), ["thanos-main"]);

    // Back to the shells: each shows its prompt and nothing thanos-tmux said. The
    // server lives on, and the second terminals' sessions end with their clients.
    let server = sb.server_pid();
    for (tty, _) in &last {
        sb.tmux_ok(&["detach-client", "-t", tty]);
    }
    assert!(
        wait_for(|| sb.sessions() == ["thanos-main"], Duration::from_secs(10)),
        "{:?}",
        sb.sessions()
    );
    assert_eq!(sb.server_pid(), server, "the tmux server was replaced");
    let mut screens = Vec::new();
    let prompts = wait_for(
        || {
            screens = panes.iter().map(|w| screen_of(w)).collect();
            screens.iter().all(|s| {
                s.lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .is_some_and(|l| l.trim_end() == prompt)
            })
        },
        Duration::from_secs(20),
    );
    let said: Vec<&str> = screens
        .iter()
        .flat_map(|s| s.lines())
        .filter(|l| l.contains("thanos-tmux"))
        .collect();
    assert!(said.is_empty(), "shells were told: {said:#?}");
    assert!(
        prompts,
        "not every shell came back to its prompt after the detach; e.g.\n{}",
        screens
            .iter()
            .find(|s| !s.contains(&prompt))
            .cloned()
            .unwrap_or_default()
    );

    // End the shells without their logout step (it would run after the sandbox is gone).
    let pids = term.outer(&["list-panes", "-s", "-t", "=term", "-F", "#{pane_pid}"]);
    for pid in pids.lines().filter_map(|p| p.parse::<i32>().ok()) {
        // SAFETY: kill(2) on the panes' processes this test started.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
}
