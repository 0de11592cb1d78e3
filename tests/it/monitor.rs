//! The monitor session and its daemons, the bundled tmux.conf, status
//! with resources and doctor, each on its own tmux server.

use crate::support::{self, sh_quote, wait_for, Sandbox, Terminal};
use serde_json::Value;
use std::time::Duration;

const DAEMONS: &str = r#"
[[daemons]]
name = "sleeper"
command = "sleep 300"

[[daemons]]
name = "crasher"
command = "echo crashing; exit 7"
restart = "never"

[[daemons]]
name = "env-check"
command = "test \"$GREETING\" = hello && test \"$(pwd)\" = \"$WANT_DIR\" && sleep 300"
env = { GREETING = "hello", WANT_DIR = "@DIR@" }
dir = "@DIR@"
"#;

fn config(sb: &Sandbox) {
    let dir = sb.mkdir("work dir");
    sb.write_config(&DAEMONS.replace("@DIR@", dir.to_str().unwrap()));
}

fn status(sb: &Sandbox) -> Vec<Value> {
    let out = sb.ok(&["daemons", "status", "--json"]);
    serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .cloned()
        .unwrap()
}

/// The windows of thanos-monitor, `INDEX NAME` a line.
fn monitor_windows(sb: &Sandbox) -> String {
    sb.tmux_ok(&[
        "list-windows",
        "-t",
        "=thanos-monitor",
        "-F",
        "#{window_index} #{window_name}",
    ])
}

fn daemon(sb: &Sandbox, name: &str) -> Value {
    status(sb).into_iter().find(|d| d["name"] == name).unwrap()
}

#[test]
fn start_makes_one_window_per_daemon_in_config_order_and_twice_changes_nothing() {
    let sb = Sandbox::new();
    config(&sb);
    sb.ok(&["daemons", "start"]);
    let windows = monitor_windows(&sb);
    assert_eq!(windows, "0 sleeper\n1 crasher\n2 env-check\n");
    assert!(wait_for(
        || daemon(&sb, "crasher")["exit_status"] == 7,
        Duration::from_secs(5)
    ));
    let pid = daemon(&sb, "sleeper")["pid"].clone();
    assert!(pid.is_u64());

    let out = sb.run(&["daemons", "start"]);
    assert!(
        support::stderr(&out).contains("nothing started"),
        "{}",
        support::describe(&out)
    );
    assert_eq!(daemon(&sb, "sleeper")["pid"], pid);
    assert_eq!(
        daemon(&sb, "crasher")["exit_status"],
        7,
        "a dead daemon stays visible with its status"
    );
    assert_eq!(
        sb.tmux_ok(&[
            "list-windows",
            "-t",
            "=thanos-monitor",
            "-F",
            "#{window_name}"
        ])
        .lines()
        .count(),
        3
    );
}

#[test]
fn the_first_attach_after_a_crash_brings_the_daemons_back() {
    let sb = Sandbox::new();
    config(&sb);
    sb.ok(&["daemons", "start"]);
    sb.ok(&["attach", "-d", "work"]);
    sb.ok(&["save"]);
    sb.crash_server();

    // The first attach restores the sessions, the monitor session and its daemons.
    sb.ok(&["attach", "-d", "work"]);
    let windows = monitor_windows(&sb);
    assert_eq!(
        windows, "0 sleeper\n1 crasher\n2 env-check\n",
        "one window a daemon"
    );
    assert!(
        wait_for(
            || daemon(&sb, "sleeper")["running"] == true
                && daemon(&sb, "env-check")["running"] == true,
            Duration::from_secs(5)
        ),
        "{:?}",
        status(&sb)
    );
    assert_eq!(sb.sessions_sorted(), ["thanos-monitor", "work"]);
    // Only the daemon made to crash is down, as before the crash.
    let doctor = sb.run(&["doctor"]);
    let down = support::stdout(&doctor)
        .lines()
        .find(|l| l.contains("daemons not running"))
        .map(str::to_string)
        .unwrap_or_default();
    assert!(
        down.contains("crasher") && !down.contains("sleeper") && !down.contains("env-check"),
        "{}",
        support::describe(&doctor)
    );
}

#[test]
fn status_json_has_the_contract_fields_and_resources() {
    let sb = Sandbox::new();
    config(&sb);
    sb.ok(&["daemons", "start"]);
    assert!(wait_for(
        || daemon(&sb, "env-check")["running"] == true,
        Duration::from_secs(5)
    ));
    std::thread::sleep(Duration::from_millis(300));
    let env_check = daemon(&sb, "env-check");
    assert_eq!(
        env_check["running"], true,
        "env or dir did not reach the daemon: {env_check}"
    );
    let sleeper = daemon(&sb, "sleeper");
    for (field, kind) in [
        ("name", "string"),
        ("window", "int"),
        ("running", "bool"),
        ("stopped", "bool"),
        ("pid", "int"),
        ("uptime_s", "int"),
        ("restarts", "int"),
        ("gave_up", "bool"),
        ("cpu_percent", "number"),
        ("memory_bytes", "int"),
    ] {
        let v = &sleeper[field];
        let ok = match kind {
            "string" => v.is_string(),
            "int" => v.is_u64(),
            "bool" => v.is_boolean(),
            _ => v.is_number(),
        };
        assert!(ok, "{field} should be {kind}: {sleeper}");
    }
    assert!(sleeper["memory_bytes"].as_u64().unwrap() > 0);
    assert!(sleeper["exit_status"].is_null());
    assert_eq!(
        sb.ok(&["daemons", "status", "--names"]),
        "sleeper\ncrasher\nenv-check\n"
    );
    assert!(wait_for(
        || sb.ok(&["daemons", "status", "--line"]) == "✖ 2/3\n",
        Duration::from_secs(5)
    ));

    let full: Value = serde_json::from_str(&sb.ok(&["status", "--json"])).unwrap();
    assert_eq!(full["daemons"].as_array().unwrap().len(), 3);
    let monitor = full["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "thanos-monitor")
        .unwrap();
    assert!(monitor["processes"].as_u64().unwrap() >= 2, "{monitor}");
    assert!(monitor["memory_bytes"].as_u64().unwrap() > 0);
    assert!(monitor["cpu_percent"].is_number());
}

#[test]
fn stop_holds_even_under_always_until_restart() {
    let sb = Sandbox::new();
    sb.write_config("[[daemons]]\nname = \"svc\"\ncommand = \"sleep 300\"\nrestart = \"always\"\n");
    sb.ok(&["daemons", "start"]);
    let pid = daemon(&sb, "svc")["pid"].as_u64().unwrap() as u32;
    sb.ok(&["daemons", "stop", "svc"]);
    assert!(wait_for(|| support::pid_gone(pid), Duration::from_secs(5)));
    std::thread::sleep(Duration::from_millis(1500)); // longer than the first backoff
    let svc = daemon(&sb, "svc");
    assert_eq!(
        (svc["running"].clone(), svc["stopped"].clone()),
        (false.into(), true.into()),
        "{svc}"
    );

    sb.ok(&["daemons", "restart", "svc"]);
    let svc = daemon(&sb, "svc");
    assert_eq!(svc["running"], true, "{svc}");
    assert_eq!(svc["stopped"], false);
    assert_eq!(svc["restarts"], 1);
}

#[test]
fn a_failing_daemon_is_restarted_with_backoff_and_given_up_on() {
    let sb = Sandbox::new();
    sb.write_config("[[daemons]]\nname = \"flaky\"\ncommand = \"exit 3\"\n");
    sb.ok(&["daemons", "start"]);
    // Backoff 1 + 2 + 4 + 8 s: the fifth failure, about 15 s in, gives up.
    assert!(
        wait_for(
            || daemon(&sb, "flaky")["gave_up"] == true,
            Duration::from_secs(30)
        ),
        "{}",
        daemon(&sb, "flaky")
    );
    let flaky = daemon(&sb, "flaky");
    assert_eq!(flaky["restarts"], 4, "{flaky}");
    assert_eq!(flaky["exit_status"], 3);
    assert!(sb.ok(&["daemons", "status"]).contains("gave up"));
}

/// The monitor's panes as tmux has them, for a failure message.
fn panes(sb: &Sandbox) -> String {
    let format = "#{window_index} #{pane_pid} dead=#{pane_dead} status=#{pane_dead_status} \
                  #{@thanos-daemon} restarts=#{@thanos-restarts} stopped=#{@thanos-stopped} \
                  gave-up=#{@thanos-gave-up} failures=#{@thanos-failures}";
    support::stdout(&sb.tmux(&["list-panes", "-a", "-F", format]))
}

#[test]
fn a_failing_daemon_keeps_its_policy_while_the_others_are_stopped_and_started() {
    let sb = Sandbox::new();
    sb.write_config(
        "[[daemons]]\nname = \"flaky\"\ncommand = \"sleep 0.5; exit 1\"\n\
         [[daemons]]\nname = \"always\"\ncommand = \"sleep 600\"\nrestart = \"always\"\n\
         [[daemons]]\nname = \"never\"\ncommand = \"sleep 600\"\nrestart = \"never\"\n\
         [[daemons]]\nname = \"ticker\"\ncommand = \"while true; do sleep 1; done\"\n",
    );
    sb.ok(&["daemons", "start"]);
    // During flaky's backoff (1, 2, 4, 8 s), the others are handled by hand.
    let sb = &sb;
    let restarts = |n: u64| move || daemon(sb, "flaky")["restarts"].as_u64() >= Some(n);
    for (n, args) in [
        (1, &["daemons", "stop", "always"][..]),
        (2, &["daemons", "restart", "never"]),
        (2, &["daemons", "start"]),
        (3, &["daemons", "stop", "ticker"]),
        (3, &["daemons", "start", "ticker"]),
    ] {
        assert!(
            wait_for(restarts(n), Duration::from_secs(20)),
            "{}",
            panes(sb)
        );
        sb.ok(args);
    }
    let gave_up = || daemon(sb, "flaky")["gave_up"] == true;
    assert!(wait_for(gave_up, Duration::from_secs(30)), "{}", panes(sb));
    let flaky = daemon(sb, "flaky");
    assert_eq!(flaky["restarts"], 4, "{flaky}");
    assert_eq!(flaky["exit_status"], 1, "{flaky}");
    // `daemons start` brought back what was stopped.
    assert_eq!(daemon(sb, "always")["running"], true, "{}", panes(sb));
    assert_eq!(daemon(sb, "ticker")["running"], true, "{}", panes(sb));
}

#[test]
fn bad_daemon_entries_name_the_problem() {
    let sb = Sandbox::new();
    sb.write_config("[[daemons]]\nname = \"a\"\ncommand = \"  \"\n");
    let out = sb.run(&["daemons", "start"]);
    assert_eq!(support::exit_code(&out), 1);
    support::assert_one_error_line(&out);
    assert!(
        support::stderr(&out).contains("daemons[0].command"),
        "{}",
        support::describe(&out)
    );

    sb.write_config("[[daemons]]\nname = \"a\"\ncommand = \"true\"\n[[daemons]]\nname = \"a\"\ncommand = \"true\"\n");
    let out = sb.run(&["daemons", "start"]);
    assert_eq!(support::exit_code(&out), 1);
    assert!(
        support::stderr(&out).contains("'a' is used twice"),
        "{}",
        support::describe(&out)
    );
    assert!(!sb.server_running(), "nothing should have started");

    sb.write_config("[[daemons]]\nname = \"a\"\ncommand = \"true\"\n");
    let out = sb.run(&["daemons", "restart", "nope"]);
    assert_eq!(support::exit_code(&out), 1);
    assert!(support::stderr(&out).contains("'nope'"));
}

#[test]
fn the_bundled_tmux_conf_loads_without_an_error_and_is_in_force() {
    let sb = Sandbox::new();
    sb.start_server("x");
    let conf = sb.root.join("bundled.conf");
    std::fs::write(&conf, sb.ok(&["config", "tmux-conf"])).unwrap();
    let out = sb.tmux(&["source-file", conf.to_str().unwrap()]);
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        support::describe(&out)
    );
    let opt = |name: &str| {
        sb.tmux_ok(&["show-options", "-gv", name])
            .trim()
            .to_string()
    };
    assert_eq!(opt("prefix"), "C-a");
    assert_eq!(opt("mouse"), "on");
    assert_eq!(opt("base-index"), "1");
    assert_eq!(
        sb.tmux_ok(&["show-options", "-gwv", "pane-base-index"])
            .trim(),
        "1"
    );
    assert_eq!(
        sb.tmux_ok(&["show-options", "-gwv", "mode-keys"]).trim(),
        "vi"
    );
    assert!(opt("status-right").contains("thanos-tmux daemons status --line"));
    let keys = sb.tmux_ok(&["list-keys"]);
    let bound = |table: &str, key: &str, needle: &str| {
        keys.lines().any(|l| {
            // bind-key [-r] -T TABLE KEY COMMAND...
            let f: Vec<&str> = l.split_whitespace().collect();
            let t = f.iter().position(|w| *w == "-T");
            t.is_some_and(|t| f.get(t + 1) == Some(&table) && f.get(t + 2) == Some(&key))
                && l.contains(needle)
        })
    };
    for (table, key, needle) in [
        ("prefix", "C-a", "send-prefix"),
        ("prefix", "|", "split-window -h -c \"#{pane_current_path}\""),
        ("prefix", "-", "split-window -v -c \"#{pane_current_path}\""),
        ("prefix", "c", "new-window -c \"#{pane_current_path}\""),
        ("prefix", "x", "kill-pane"),
        ("prefix", "X", "kill-window"),
        ("prefix", "z", "resize-pane -Z"),
        ("prefix", "y", "synchronize-panes"),
        ("prefix", "r", "source-file"),
        ("prefix", "]", "paste-buffer"),
        ("prefix", "P", "paste-buffer"),
        ("prefix", "Left", "resize-pane -L"),
        ("root", "M-Left", "select-pane -L"),
        ("root", "S-Right", "next-window"),
        ("copy-mode-vi", "v", "begin-selection"),
        ("copy-mode-vi", "y", "copy-pipe-and-cancel"),
    ] {
        assert!(
            bound(table, key, needle),
            "{table} {key} should run {needle}"
        );
    }
    assert!(!bound("prefix", "C-b", ""), "C-b should be freed");
}

/// How many of `format`'s items (`list-panes -s` / `list-windows`) the session `keys` has.
fn count(sb: &Sandbox, list: &str) -> usize {
    let flags: &[&str] = if list == "list-panes" { &["-s"] } else { &[] };
    let mut args = vec![list];
    args.extend_from_slice(flags);
    args.extend(["-t", "=keys", "-F", "x"]);
    sb.tmux_ok(&args).lines().count()
}

/// Presses `keys` until the screen shows `prompt` (a key pressed while the client
/// still reads its terminal's answers can be taken for part of one); the screen then.
fn prompt_after(term: &Terminal, keys: &[&str], prompt: &str) -> String {
    for _ in 0..5 {
        term.keys(keys);
        if wait_for(|| term.screen().contains(prompt), Duration::from_secs(2)) {
            return term.screen();
        }
    }
    panic!("no {prompt:?} after {keys:?}:\n{}", term.screen());
}

#[test]
fn the_bundled_tmux_conf_asks_y_n_before_x_and_capital_x_kill() {
    let sb = Sandbox::new();
    let conf = sb.root.join("bundled.conf");
    std::fs::write(&conf, sb.ok(&["config", "tmux-conf"])).unwrap();
    // A real terminal starts the server with the shipped config, as its first client;
    // keys typed into the terminal go through the server's key tables.
    let term = Terminal::spawn(
        &sb,
        &sb.home,
        &format!(
            "exec tmux -f {} new-session -s keys /bin/sh",
            sh_quote(&conf.to_string_lossy())
        ),
        &[],
    );
    let t = Duration::from_secs(10);
    assert!(
        wait_for(|| sb.clients().len() == 1, t),
        "no client: {}",
        term.screen()
    );
    // Keys reach tmux's key tables only once the client has taken the terminal over:
    // typed into the pane, a line comes back.
    term.type_line("echo ready-$((20 + 22))");
    term.wait_screen(|s| s.contains("ready-42"), t);
    sb.tmux_ok(&["split-window", "-t", "=keys:", "/bin/sh"]);
    sb.tmux_ok(&["new-window", "-d", "-t", "=keys:", "/bin/sh"]);
    assert_eq!(
        (count(&sb, "list-panes"), count(&sb, "list-windows")),
        (3, 2)
    );

    // prefix x: a (y/n) prompt, and the pane stays until y; prefix X: the window.
    for (key, prompt, list, before) in [
        ("x", "kill-pane 2? (y/n)", "list-panes", 3),
        ("X", "kill-window sh? (y/n)", "list-windows", 2),
    ] {
        let screen = prompt_after(&term, &["C-a", key], prompt);
        assert_eq!(
            count(&sb, list),
            before,
            "killed before the answer:\n{screen}"
        );
        term.keys(&["y"]);
        assert!(
            wait_for(|| count(&sb, list) == before - 1, t),
            "y did not kill ({list}):\n{}",
            term.screen()
        );
    }
}

#[test]
fn doctor_passes_a_healthy_sandbox_and_fails_a_broken_one() {
    let sb = Sandbox::new();
    sb.write_config("[[daemons]]\nname = \"svc\"\ncommand = \"sleep 300\"\n");
    std::fs::write(
        sb.home.join(".bashrc"),
        "eval \"$(thanos-tmux init bash)\"\n",
    )
    .unwrap();
    sb.ok(&["attach", "-d", "main"]);
    sb.ok(&["daemons", "start"]);
    let out = sb.run(&["doctor"]);
    assert_eq!(support::exit_code(&out), 0, "{}", support::describe(&out));
    let text = support::stdout(&out);
    assert!(text.contains("hooks are registered"), "{text}");
    assert!(!text.contains('✖'), "{text}");

    // Broken: integration gone, a daemon dead, hooks wiped, the state folder open to all.
    std::fs::remove_file(sb.home.join(".bashrc")).unwrap();
    sb.ok(&["daemons", "stop", "svc"]);
    sb.tmux_ok(&["set-hook", "-gu", "client-attached"]);
    sb.write_config("[[daemons]]\nname = \"svc\"\ncommand = \"sleep 300\"\n[[daemons]]\nname = \"other\"\ncommand = \"sleep 1\"\n");
    let out = sb.run(&["doctor"]);
    assert_eq!(support::exit_code(&out), 1, "{}", support::describe(&out));
    let text = support::stdout(&out);
    for needle in [
        "none of your rc files",
        "hooks are missing",
        "daemons not running: other",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert!(
        text.lines()
            .all(|l| ["✔ ", "! ", "✖ "].iter().any(|m| l.starts_with(m))),
        "{text}"
    );
}

#[test]
fn doctor_reports_a_missing_tmux_as_a_failed_check() {
    let sb = Sandbox::new();
    let out = sb
        .cmd(&["doctor"])
        .env("PATH", sb.root.join("empty"))
        .output()
        .unwrap();
    assert_eq!(support::exit_code(&out), 1);
    assert!(
        support::stdout(&out).contains("tmux is not installed"),
        "{}",
        support::describe(&out)
    );
}
