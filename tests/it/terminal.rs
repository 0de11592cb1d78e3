//! Attach on a real terminal: outside tmux the binary becomes the tmux client
//! (exec); inside tmux it switches the client and never nests; a session it creates
//! greets once.

use crate::support::*;
use std::time::Duration;

const T: Duration = Duration::from_secs(10);

fn binary() -> String {
    sh_quote(bin().to_str().unwrap())
}

/// The one client of the sandbox server is on `session`.
fn client_on(sb: &Sandbox, session: &str) -> bool {
    let clients = sb.clients();
    clients.len() == 1 && clients[0].1 == session
}

fn attach_in(sb: &Sandbox, term: &Terminal, line: &str, session: &str) {
    term.type_line(line);
    let ok = wait_for(|| client_on(sb, session), T);
    assert!(
        ok,
        "no client on {session}: clients {:?}\nscreen:\n{}",
        sb.clients(),
        term.screen()
    );
}

#[test]
fn on_a_terminal_the_binary_becomes_the_tmux_client() {
    let sb = Sandbox::new();
    let term = Terminal::new(&sb);
    term.wait_screen(|s| s.contains('$'), T);
    attach_in(&sb, &term, &binary(), "thanos-main");
    assert_eq!(sb.sessions(), ["thanos-main"]);
    assert_eq!(sb.session_path("thanos-main").as_deref(), sb.home.to_str());
    assert_eq!(
        sb.session_format("thanos-main", "session_attached")
            .as_deref(),
        Some("1")
    );
    assert_eq!(sb.recorded(), ["thanos-main"]);
    // exec: the terminal's foreground program is tmux itself; no thanos-tmux lingers.
    let fg = term.outer(&[
        "display-message",
        "-p",
        "-t",
        "=term:",
        "#{pane_current_command}",
    ]);
    assert_eq!(fg.trim(), "tmux");
    // Detaching gives the shell back.
    sb.tmux_ok(&["detach-client", "-s", "=thanos-main"]);
    term.wait_screen(|s| s.contains("[detached"), T);
    assert!(wait_for(|| sb.clients().is_empty(), T));
    assert_eq!(
        sb.sessions(),
        ["thanos-main"],
        "the session outlives the client"
    );
    // And attaching again from a repository picks the repository's session.
    let repo = sb.git_repo("code/proj");
    attach_in(
        &sb,
        &term,
        &format!("cd {} && {}", sh_quote(repo.to_str().unwrap()), binary()),
        "proj",
    );
    assert_eq!(sb.session_path("proj").as_deref(), repo.to_str());
}

#[test]
fn a_typed_name_is_attached_or_created_on_the_terminal() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "existing"]);
    let term = Terminal::new(&sb);
    attach_in(&sb, &term, &format!("{} existing", binary()), "existing");
    assert_eq!(sb.sessions(), ["existing"], "attach created a duplicate");
    sb.tmux_ok(&["detach-client", "-s", "=existing"]);
    assert!(wait_for(|| sb.clients().is_empty(), T));
    attach_in(&sb, &term, &format!("{} attach 'semi;'", binary()), "semi;");
    assert_eq!(sb.sessions_sorted(), ["existing", "semi;"]);
}

/// Two terminals in the same folder, each running the binary: both end up attached.
fn two_terminals_attached(sb: &Sandbox) -> (Terminal, Terminal) {
    let one = Terminal::new(sb);
    attach_in(sb, &one, &binary(), "thanos-main");
    let two = Terminal::new(sb);
    two.wait_screen(|s| s.contains('$'), T);
    two.type_line(&binary());
    assert!(
        wait_for(|| sb.clients().len() == 2, T),
        "clients {:?}\nscreen:\n{}",
        sb.clients(),
        two.screen()
    );
    (one, two)
}

#[test]
fn a_second_terminal_gets_a_window_of_its_own_and_types_only_there() {
    let sb = Sandbox::new();
    let (one, two) = two_terminals_attached(&sb);
    let mut on: Vec<String> = sb.clients().into_iter().map(|(_, s)| s).collect();
    on.sort();
    let twin = on[1].clone();
    assert_eq!(on[0], "thanos-main");
    assert!(twin.starts_with("thanos-main~"), "{on:?}");
    let window = |session: &str| {
        sb.tmux_ok(&[
            "display-message",
            "-p",
            "-t",
            &format!("={session}:"),
            "#{window_id}",
        ])
    };
    assert_ne!(window("thanos-main"), window(&twin), "one current window");
    assert_eq!(
        sb.session_format(&twin, "session_group").as_deref(),
        Some("thanos-main")
    );

    // What is typed in the second terminal shows there only.
    two.type_line("echo only-in-$((6 * 7))");
    two.wait_screen(|s| s.contains("only-in-42"), T);
    assert!(!one.screen().contains("only-in-42"), "{}", one.screen());

    // One session for people and for the state file, with both clients.
    let list: serde_json::Value = serde_json::from_str(&sb.ok(&["list", "--json"])).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["thanos-main"], "{list:#}");
    assert_eq!(list[0]["attached"], 2, "{list:#}");
    sb.ok(&["save"]);
    assert_eq!(sb.recorded(), ["thanos-main"]);
    assert_eq!(
        sb.ok(&["list", "--names"]),
        "thanos-main\n",
        "completion offers it once"
    );

    // Its session ends when the second terminal detaches.
    sb.tmux_ok(&["detach-client", "-s", &format!("={twin}")]);
    assert!(
        wait_for(|| sb.sessions() == ["thanos-main"], T),
        "{:?}",
        sb.sessions()
    );
    assert_eq!(sb.recorded(), ["thanos-main"]);
}

#[test]
fn a_second_terminal_whose_group_was_killed_keeps_its_windows_when_it_leaves() {
    let sb = Sandbox::new();
    let (_one, _two) = two_terminals_attached(&sb);
    let twin = sb
        .clients()
        .into_iter()
        .map(|(_, s)| s)
        .find(|s| s != "thanos-main")
        .unwrap();
    // Killed by plain tmux (`thanos-tmux kill` would end the group's second terminals'
    // sessions with it). The second terminal's session now holds the group's windows
    // alone: its leaving must not end them.
    sb.tmux_ok(&["kill-session", "-t", "=thanos-main"]);
    sb.tmux_ok(&["detach-client", "-s", &format!("={twin}")]);
    assert!(wait_for(|| sb.clients().is_empty(), T));
    sb.hooks_quiet();
    assert_eq!(sb.sessions(), [twin]);
}

#[test]
fn with_second_terminal_share_both_show_the_same_session() {
    let sb = Sandbox::new();
    sb.write_config("second_terminal = \"share\"\n");
    let _terminals = two_terminals_attached(&sb);
    assert!(
        sb.clients().iter().all(|(_, s)| s == "thanos-main"),
        "{:?}",
        sb.clients()
    );
    assert_eq!(sb.sessions(), ["thanos-main"]);
}

#[test]
fn last_goes_back_to_the_session_used_before() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "alpha"]);
    sb.ok(&["attach", "-d", "beta"]);
    let term = Terminal::new(&sb);
    attach_in(&sb, &term, &format!("{} alpha", binary()), "alpha");
    // Inside tmux: to beta, then `last` twice goes back and forth.
    attach_in(&sb, &term, &format!("{} beta", binary()), "beta");
    attach_in(&sb, &term, &format!("{} last", binary()), "alpha");
    attach_in(&sb, &term, &format!("{} last", binary()), "beta");
    // Outside tmux: the session used last.
    sb.tmux_ok(&["detach-client", "-s", "=beta"]);
    assert!(wait_for(|| sb.clients().is_empty(), T));
    attach_in(&sb, &term, &format!("{} last", binary()), "beta");
    assert_eq!(
        sb.sessions_sorted(),
        ["alpha", "beta"],
        "last made a session"
    );
}

#[test]
fn last_with_nothing_to_go_back_to_is_one_line() {
    let sb = Sandbox::new();
    let out = sb.run(&["last"]);
    assert_eq!(exit_code(&out), 1, "{}", describe(&out));
    assert_one_error_line(&out);
    assert!(
        stderr(&out).contains("nothing to go back to"),
        "{}",
        describe(&out)
    );
    assert!(!sb.server_running());
}

#[test]
fn inside_tmux_it_switches_the_client_and_never_nests() {
    let sb = Sandbox::new();
    let term = Terminal::new(&sb);
    attach_in(&sb, &term, &binary(), "thanos-main");
    // Now typing goes to the shell inside the inner session.
    let mut max_clients = 0;
    term.type_line(&format!("{} dev", binary()));
    let switched = wait_for(
        || {
            let clients = sb.clients();
            max_clients = max_clients.max(clients.len());
            clients.len() == 1 && clients[0].1 == "thanos-dev"
        },
        T,
    );
    assert!(
        switched,
        "clients {:?}\nscreen:\n{}",
        sb.clients(),
        term.screen()
    );
    assert_eq!(max_clients, 1, "a nested client appeared");
    assert_eq!(sb.sessions_sorted(), ["thanos-dev", "thanos-main"]);
    assert_eq!(sb.session_path("thanos-dev").as_deref(), sb.home.to_str());
    assert_eq!(sb.recorded(), ["thanos-dev", "thanos-main"]);

    // Back to an existing session, and to a repository's, all in the same client.
    term.type_line(&format!("{} main", binary()));
    assert!(
        wait_for(|| client_on(&sb, "thanos-main"), T),
        "{:?}",
        sb.clients()
    );
    let repo = sb.git_repo("code/proj");
    term.type_line(&format!(
        "cd {} && {}",
        sh_quote(repo.to_str().unwrap()),
        binary()
    ));
    assert!(wait_for(|| client_on(&sb, "proj"), T), "{:?}", sb.clients());
    assert_eq!(sb.session_path("proj").as_deref(), repo.to_str());
    assert_eq!(sb.clients().len(), 1);
    // The shell that ran the binary is back at its prompt, not inside a nested tmux.
    let inner_fg = sb.session_format("thanos-main", "pane_current_command");
    assert_eq!(inner_fg.as_deref(), Some("sh"));
}

#[test]
fn a_new_session_greets_once() {
    let sb = Sandbox::new();
    let term = Terminal::new(&sb);
    attach_in(&sb, &term, &binary(), "thanos-main");
    term.wait_screen(|s| s.contains("thanos-main is home"), T);
    assert_eq!(
        sb.session_option("thanos-main", "@thanos-greeted")
            .as_deref(),
        Some("1")
    );
    // Detach, clear, come back: no second greeting.
    sb.tmux_ok(&["detach-client", "-s", "=thanos-main"]);
    term.wait_screen(|s| s.contains("[detached"), T);
    term.type_line("clear");
    term.wait_screen(|s| !s.contains("[detached"), T);
    attach_in(&sb, &term, &binary(), "thanos-main");
    // The status line is drawn, then watch it for a while.
    term.wait_screen(|s| s.contains("[thanos-m"), T);
    let greeted_again = wait_for(
        || term.screen().contains("is home"),
        Duration::from_millis(1500),
    );
    assert!(!greeted_again, "greeted twice:\n{}", term.screen());
}

#[test]
fn a_session_created_by_a_switch_greets_and_a_plain_session_never_does() {
    let sb = Sandbox::new();
    sb.start_server("plain");
    let term = Terminal::new(&sb);
    // Attaching to a session thanos-tmux did not create shows no greeting.
    attach_in(&sb, &term, &format!("{} plain", binary()), "plain");
    term.wait_screen(|s| s.contains("[plain]"), T);
    let greeted = wait_for(
        || term.screen().contains("is home"),
        Duration::from_millis(1000),
    );
    assert!(!greeted, "a plain session was greeted:\n{}", term.screen());
    // Switching to a new one from inside greets there.
    term.type_line(&format!("{} fresh", binary()));
    assert!(
        wait_for(|| client_on(&sb, "fresh"), T),
        "{:?}",
        sb.clients()
    );
    term.wait_screen(|s| s.contains("fresh is home"), T);
    assert_eq!(
        sb.session_option("fresh", "@thanos-greeted").as_deref(),
        Some("1")
    );
}

#[test]
fn kill_asks_on_a_terminal() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "work"]);
    sb.ok(&["attach", "-d", "work2"]);
    let term = Terminal::new(&sb);
    term.type_line(&format!("{} kill work; echo rc=$?", binary()));
    term.wait_screen(|s| s.contains("[y/N]"), T);
    term.type_line("n");
    term.wait_screen(|s| s.contains("rc=1"), T);
    assert_eq!(sb.sessions_sorted(), ["work", "work2"]);
    term.type_line("clear");
    term.wait_screen(|s| !s.contains("rc=1"), T);
    term.type_line(&format!("{} kill work; echo rc=$?", binary()));
    term.wait_screen(|s| s.contains("[y/N]"), T);
    term.type_line("y");
    term.wait_screen(|s| s.contains("rc=0"), T);
    assert_eq!(sb.sessions(), ["work2"]);
    assert_eq!(sb.recorded(), ["work2"]);
}
