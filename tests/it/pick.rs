//! The picker, typed at on a real terminal: filter, go (attach outside tmux, switch
//! inside it from the bundled tmux.conf's popup key), restore a lost session, make a
//! folder's session, kill after a question, leave; and `pick --list` for scripts.

use crate::support::*;
use std::time::Duration;

const T: Duration = Duration::from_secs(10);

fn binary() -> String {
    sh_quote(bin().to_str().unwrap())
}

/// A terminal with the picker open on it (its first frame drawn).
fn picker(sb: &Sandbox, extra_env: &[(&str, &str)]) -> Terminal {
    let command = format!("{} pick; echo picker-left-$?; exec /bin/sh", binary());
    let term = Terminal::spawn(sb, &sb.home, &command, extra_env);
    term.wait_screen(|s| s.contains("enter go"), T);
    term
}

fn client_on(sb: &Sandbox, session: &str) -> bool {
    let clients = sb.clients();
    clients.len() == 1 && clients[0].1 == session
}

fn wait_client_on(sb: &Sandbox, term: &Terminal, session: &str) {
    let ok = wait_for(|| client_on(sb, session), T);
    assert!(
        ok,
        "no client on {session}: {:?}\n{}",
        sb.clients(),
        term.screen()
    );
}

/// The picker's list lines (after the query line and the rule, before the keys line).
fn list_lines(screen: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let keys = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .unwrap_or(0);
    lines[2.min(keys)..keys]
        .iter()
        .map(|l| l.split('│').next().unwrap_or("").trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn typing_filters_and_enter_attaches_outside_tmux() {
    let sb = Sandbox::new();
    sb.ok(&["-d", "api"]);
    sb.ok(&["-d", "web"]);
    let term = picker(&sb, &[]);
    let screen = term.screen();
    assert!(
        screen.contains("● api") && screen.contains("● web"),
        "{screen}"
    );
    term.type_text("wb");
    let screen = term.wait_screen(|s| s.contains("1/2"), T);
    let lines = list_lines(&screen);
    assert_eq!(lines.len(), 1, "{screen}");
    assert!(lines[0].contains("● web"), "{screen}");
    term.keys(&["Enter"]);
    wait_client_on(&sb, &term, "web");
    assert_eq!(sb.sessions_sorted(), ["api", "web"]);
}

#[test]
fn arrows_and_ctrl_n_p_move_the_highlight() {
    let sb = Sandbox::new();
    for name in ["one", "two", "three"] {
        sb.ok(&["-d", name]);
    }
    let term = picker(&sb, &[]);
    let highlighted = |s: &str| {
        let lines = list_lines(s);
        let line = lines.iter().find(|l| l.starts_with('▌')).cloned();
        line.unwrap_or_default()
    };
    let first = highlighted(&term.screen());
    term.keys(&["Down"]);
    let second = highlighted(&term.wait_screen(|s| highlighted(s) != first, T));
    term.keys(&["C-n"]);
    term.wait_screen(|s| highlighted(s) != second && highlighted(s) != first, T);
    term.keys(&["C-p"]);
    term.wait_screen(|s| highlighted(s) == second, T);
    term.keys(&["Up"]);
    term.wait_screen(|s| highlighted(s) == first, T);
}

#[test]
fn enter_on_a_lost_session_restores_it_with_no_server_running() {
    let sb = Sandbox::new();
    let dir = sb.mkdir("notes");
    sb.ok(&["-d", "notes", "-c", dir.to_str().unwrap()]);
    sb.ok(&["save"]);
    sb.hooks_quiet();
    sb.crash_server();
    assert!(!sb.server_running());
    let term = picker(&sb, &[]);
    let screen = term.screen();
    assert!(
        screen.contains("○ notes") && screen.contains("lost"),
        "{screen}"
    );
    term.type_text("notes");
    term.keys(&["Enter"]);
    wait_client_on(&sb, &term, "notes");
    assert_eq!(sb.session_path("notes").as_deref(), dir.to_str());
}

#[test]
fn enter_on_a_folder_makes_the_session_named_for_it() {
    let sb = Sandbox::new();
    let repo = sb.git_repo("src/rocket");
    sb.git_repo("src/other");
    // Folders deeper than pick.depth are not listed.
    sb.git_repo("a/b/c/too-deep");
    let term = picker(&sb, &[]);
    let screen = term.wait_screen(|s| s.contains("~/src/rocket"), T);
    assert!(!screen.contains("too-deep"), "{screen}");
    assert!(screen.contains("~/src/other"), "{screen}");
    term.type_text("rock");
    term.wait_screen(|s| s.contains("1/2"), T);
    term.keys(&["Enter"]);
    wait_client_on(&sb, &term, "rocket");
    assert_eq!(sb.session_path("rocket").as_deref(), repo.to_str());
}

#[test]
fn ctrl_x_kills_the_highlighted_session_only_after_y() {
    let sb = Sandbox::new();
    sb.ok(&["-d", "keep"]);
    sb.ok(&["-d", "doomed"]);
    let term = picker(&sb, &[]);
    term.type_text("doomed");
    term.wait_screen(|s| s.contains("1/2"), T);
    term.keys(&["C-x"]);
    term.wait_screen(|s| s.contains("kill session doomed? (y/n)"), T);
    term.type_text("n");
    term.wait_screen(|s| s.contains("enter go"), T);
    assert!(sb.has_session("doomed"));
    term.keys(&["C-x"]);
    term.wait_screen(|s| s.contains("kill session doomed? (y/n)"), T);
    term.type_text("y");
    term.wait_screen(|s| s.contains("killed doomed") && s.contains("0/1"), T);
    assert_eq!(sb.sessions(), ["keep"]);
    term.keys(&["Escape"]);
    term.wait_screen(|s| s.contains("picker-left-0"), T);
    assert_eq!(sb.sessions(), ["keep"]);
    assert!(sb.clients().is_empty());
}

#[test]
fn esc_and_ctrl_c_leave_with_nothing_changed() {
    let sb = Sandbox::new();
    sb.ok(&["-d", "api"]);
    sb.git_repo("src/web");
    for key in ["Escape", "C-c"] {
        let term = picker(&sb, &[]);
        term.type_text("web");
        term.keys(&[key]);
        term.wait_screen(|s| s.contains("picker-left-0"), T);
        assert_eq!(sb.sessions(), ["api"]);
        assert!(sb.clients().is_empty());
    }
}

#[test]
fn the_highlighted_session_or_folder_is_previewed_on_a_wide_terminal() {
    let sb = Sandbox::new();
    sb.ok(&["-d", "api"]);
    sb.tmux_ok(&[
        "send-keys",
        "-t",
        "=api:",
        "echo preview-mark-$((6*7))",
        "Enter",
    ]);
    assert!(wait_for(
        || sb
            .tmux_ok(&["capture-pane", "-p", "-t", "=api:"])
            .contains("preview-mark-42"),
        T
    ));
    let repo = sb.git_repo("src/proj");
    std::fs::write(repo.join("folder-mark.txt"), "").unwrap();
    let term = picker(&sb, &[]);
    term.wait_screen(|s| s.contains("│") && s.contains("preview-mark-42"), T);
    // A folder shows what it holds.
    term.type_text("proj");
    term.wait_screen(|s| s.contains("folder-mark.txt"), T);
}

#[test]
fn inside_tmux_the_popup_key_opens_the_picker_and_switches_the_client() {
    let sb = Sandbox::new();
    sb.ok(&["-d", "zephyr"]);
    let term = Terminal::new(&sb);
    term.wait_screen(|s| s.contains('$'), T);
    term.type_line(&format!("{} quokka", binary()));
    wait_client_on(&sb, &term, "quokka");
    // The bundled tmux.conf, with the binary on the server's PATH as an install has it.
    let conf = sb.root.join("bundled.conf");
    std::fs::write(&conf, sb.ok(&["config", "tmux-conf"])).unwrap();
    sb.tmux_ok(&["source-file", conf.to_str().unwrap()]);
    let bin_dir = bin().parent().unwrap().to_str().unwrap().to_string();
    let path = format!("{bin_dir}:{}", std::env::var("PATH").unwrap_or_default());
    sb.tmux_ok(&["set-environment", "-g", "PATH", &path]);
    term.keys(&["C-a", "g"]);
    term.wait_screen(|s| s.contains("enter go") && s.contains("zephyr"), T);
    term.type_text("zeph");
    term.keys(&["Enter"]);
    wait_client_on(&sb, &term, "zephyr");
    // The popup is gone: the client shows the session's own pane again.
    term.wait_screen(|s| !s.contains("enter go"), T);
}

#[test]
fn the_current_session_is_marked_and_is_not_killed() {
    let sb = Sandbox::new();
    sb.ok(&["-d", "other"]);
    let term = Terminal::new(&sb);
    term.wait_screen(|s| s.contains('$'), T);
    term.type_line(&format!("{} quokka", binary()));
    wait_client_on(&sb, &term, "quokka");
    term.type_line(&format!("{} pick", binary()));
    term.wait_screen(|s| s.contains("enter go"), T);
    term.type_text("quokka");
    term.wait_screen(|s| s.contains("(current)"), T);
    term.keys(&["C-x"]);
    term.wait_screen(|s| s.contains("the session you are in"), T);
    assert!(sb.has_session("quokka"));
    term.keys(&["Escape"]);
}

#[test]
fn colour_is_purple_and_gold_unless_no_color() {
    let sb = Sandbox::new();
    sb.ok(&["-d", "api"]);
    let styled = |term: &Terminal| term.outer(&["capture-pane", "-p", "-e", "-t", "=term:"]);
    let term = picker(&sb, &[]);
    let screen = styled(&term);
    assert!(
        screen.contains("38;5;135") && screen.contains("38;5;220"),
        "{screen:?}"
    );
    drop(term);
    let term = picker(&sb, &[("NO_COLOR", "1")]);
    let screen = styled(&term);
    assert!(!screen.contains("38;5;"), "{screen:?}");
}

#[test]
fn hostile_names_and_folders_are_shown_escaped_and_passed_exactly() {
    let sb = Sandbox::new();
    let weird = sb.git_repo("src/we\u{1b}[2Jird\tdir");
    sb.tmux_ok(&[
        "new-session",
        "-d",
        "-s",
        "it's \"evil\"",
        "-c",
        weird.to_str().unwrap(),
    ]);
    let name = sb.sessions().pop().unwrap();
    let listed = sb.ok(&["pick", "--list"]);
    assert!(listed.starts_with(&format!("live\t{name}\t")), "{listed:?}");
    assert!(listed.contains("we\\e[2Jird\\tdir\n"), "{listed:?}");
    assert!(!listed.contains('\u{1b}'), "{listed:?}");
    let json: serde_json::Value =
        serde_json::from_str(&sb.ok(&["pick", "--list", "--json"])).unwrap();
    let entries = json.as_array().unwrap();
    assert_eq!(entries[0]["name"], name);
    assert_eq!(entries[0]["folder"], weird.to_str().unwrap());
    // Its folder is the session's: listed once.
    assert_eq!(entries.len(), 1, "{json}");
    let term = picker(&sb, &[]);
    let screen = term.wait_screen(|s| s.contains("it's \"evil\""), T);
    assert!(screen.contains("we\\e[2Jird\\tdir"), "{screen}");
    term.type_text("evil");
    term.keys(&["Enter"]);
    wait_client_on(&sb, &term, &name);
}

#[test]
fn pick_list_with_no_server_shows_recorded_sessions_and_folders() {
    let sb = Sandbox::new();
    sb.ok(&["-d", "gone"]);
    sb.ok(&["save"]);
    sb.hooks_quiet();
    sb.crash_server();
    let repo = sb.git_repo("code/app");
    let out = sb.ok(&["pick", "--list"]);
    let home = sb.home.to_str().unwrap();
    assert_eq!(
        out,
        format!("lost\tgone\t{home}\nfolder\t\t{}\n", repo.to_str().unwrap())
    );
    assert!(!sb.server_running(), "pick --list started a server");
}

#[test]
fn pick_list_with_nothing_is_empty_and_json_fields_are_stable() {
    let sb = Sandbox::new();
    assert_eq!(sb.ok(&["pick", "--list"]), "");
    assert_eq!(sb.ok(&["pick", "--list", "--json"]).trim(), "[]");
    sb.ok(&["-d", "api"]);
    let json: serde_json::Value =
        serde_json::from_str(&sb.ok(&["pick", "--list", "--json"])).unwrap();
    let keys: Vec<&str> = json[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = [
        "kind",
        "name",
        "folder",
        "windows",
        "clients",
        "last_attached",
        "current",
    ];
    want.sort();
    let mut keys = keys;
    keys.sort();
    assert_eq!(keys, want);
    assert_eq!(json[0]["kind"], "live");
    assert_eq!(json[0]["windows"], 1);
    assert_eq!(json[0]["current"], false);
}

#[test]
fn pick_roots_and_depth_come_from_the_config() {
    let sb = Sandbox::new();
    let work = sb.mkdir("work");
    sb.git_repo("work/one/two/deep");
    sb.git_repo("src/not-searched");
    sb.write_config(&format!(
        "[pick]\nroots = [{:?}]\ndepth = 3\n",
        work.to_str().unwrap()
    ));
    let out = sb.ok(&["pick", "--list"]);
    assert_eq!(
        out,
        format!("folder\t\t{}/one/two/deep\n", work.to_str().unwrap())
    );
    sb.write_config(&format!(
        "[pick]\nroots = [{:?}]\ndepth = 2\n",
        work.to_str().unwrap()
    ));
    assert_eq!(sb.ok(&["pick", "--list"]), "");
}

#[test]
fn the_picker_needs_a_terminal() {
    let sb = Sandbox::new();
    let out = sb.run(&["pick"]);
    assert_eq!(exit_code(&out), 1, "{}", describe(&out));
    assert_one_error_line(&out);
    assert!(stderr(&out).contains("pick --list"), "{}", describe(&out));
}

#[test]
fn zoxide_folders_come_first_among_the_folders() {
    let sb = Sandbox::new();
    let often = sb.mkdir("elsewhere/often");
    let repo = sb.git_repo("src/app");
    let out = std::process::Command::new("zoxide")
        .env_clear()
        .envs(sb.env())
        .arg("add")
        .arg(&often)
        .output()
        .expect("zoxide is installed (scripts/test installs it)");
    assert!(out.status.success(), "{}", describe(&out));
    let listed = sb.ok(&["pick", "--list"]);
    let want = format!(
        "folder\t\t{}\nfolder\t\t{}\n",
        often.to_str().unwrap(),
        repo.to_str().unwrap()
    );
    assert_eq!(listed, want);
}

#[test]
fn with_nothing_to_show_the_picker_waits_and_leaves() {
    let sb = Sandbox::new();
    let term = picker(&sb, &[]);
    let screen = term.screen();
    assert!(screen.contains("0/0"), "{screen}");
    term.keys(&["Enter"]);
    term.keys(&["C-x"]);
    term.wait_screen(|s| s.contains("only a live session can be killed"), T);
    assert!(!term.screen().contains("picker-left"));
    term.keys(&["Escape"]);
    term.wait_screen(|s| s.contains("picker-left-0"), T);
    assert!(!sb.server_running());
}

#[test]
fn pick_list_answers_from_the_last_search_and_renews_an_old_one_in_the_background() {
    let sb = Sandbox::new();
    let first = sb.git_repo("src/first");
    let line = |repo: &std::path::Path| format!("folder\t\t{}\n", repo.to_str().unwrap());
    assert_eq!(sb.ok(&["pick", "--list"]), line(&first));
    // A repository made since: not listed while the last search is recent...
    let second = sb.git_repo("src/second");
    assert_eq!(sb.ok(&["pick", "--list"]), line(&first));
    // ...and searched for in the background once it is old.
    let cache = sb.state_dir().join("pick-folders");
    let old = std::time::SystemTime::now() - Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&cache)
        .unwrap()
        .set_modified(old)
        .unwrap();
    assert_eq!(sb.ok(&["pick", "--list"]), line(&first));
    let renewed = wait_for(
        || std::fs::read_to_string(&cache).is_ok_and(|c| c.contains("src/second")),
        T,
    );
    assert!(renewed, "the search was not renewed");
    assert_eq!(
        sb.ok(&["pick", "--list"]),
        format!("{}{}", line(&first), line(&second))
    );
}

#[test]
fn a_session_with_a_terminal_on_it_gets_a_second_terminal_of_its_own_from_the_picker() {
    let sb = Sandbox::new();
    let first = Terminal::new(&sb);
    first.wait_screen(|s| s.contains('$'), T);
    first.type_line(&format!("{} quokka", binary()));
    wait_client_on(&sb, &first, "quokka");
    let second = picker(&sb, &[]);
    second.type_text("quokka");
    second.wait_screen(|s| s.contains("1/1"), T);
    second.keys(&["Enter"]);
    // The second terminal lands in a session of its own in quokka's group.
    let twin_attached = || {
        let clients = sb.clients();
        clients.len() == 2
            && clients.iter().any(|(_, s)| s == "quokka")
            && clients.iter().any(|(_, s)| s.starts_with("quokka~"))
    };
    assert!(wait_for(twin_attached, T), "clients: {:?}", sb.clients());
    let listed = sb.ok(&["pick", "--list"]);
    assert!(listed.starts_with("live\tquokka\t"), "{listed}");
    assert_eq!(
        listed.lines().filter(|l| l.starts_with("live")).count(),
        1,
        "{listed}"
    );
}

#[test]
fn a_session_named_like_a_session_id_is_killed_itself_and_never_attached_by_mistake() {
    let sb = Sandbox::new();
    let victim = sb.tmux_ok(&[
        "new-session",
        "-d",
        "-s",
        "victim",
        "-P",
        "-F",
        "#{session_id}",
    ]);
    let id = victim.trim().to_string();
    sb.tmux_ok(&["new-session", "-d", "-s", &id]);
    let term = picker(&sb, &[]);
    term.type_text(&format!("'{id}"));
    term.wait_screen(|s| s.contains("1/2"), T);
    // Enter does not land in the session whose id that name spells.
    term.keys(&["Enter"]);
    term.wait_screen(|s| s.contains("tmux cannot reach a session named"), T);
    assert!(sb.clients().is_empty(), "{:?}", sb.clients());
    // Ctrl-x y kills the session of that name, not the one with that id.
    let term = picker(&sb, &[]);
    term.type_text(&format!("'{id}"));
    term.wait_screen(|s| s.contains("1/2"), T);
    term.keys(&["C-x"]);
    term.wait_screen(|s| s.contains("? (y/n)"), T);
    term.type_text("y");
    term.wait_screen(|s| s.contains("killed"), T);
    assert_eq!(sb.sessions(), ["victim"]);
}

#[test]
fn killing_a_session_ends_its_second_terminals_sessions_too() {
    let sb = Sandbox::new();
    let one = Terminal::new(&sb);
    let two = Terminal::new(&sb);
    for term in [&one, &two] {
        term.wait_screen(|s| s.contains('$'), T);
        term.type_line(&format!("{} quokka", binary()));
    }
    assert!(
        wait_for(|| sb.clients().len() == 2, T),
        "{:?}",
        sb.clients()
    );
    assert_eq!(sb.sessions().len(), 2, "{:?}", sb.sessions());
    let term = picker(&sb, &[]);
    term.type_text("quokka");
    term.keys(&["C-x"]);
    term.wait_screen(|s| s.contains("kill session quokka? (y/n)"), T);
    term.type_text("y");
    assert!(
        wait_for(|| sb.sessions().is_empty(), T),
        "left: {:?}",
        sb.sessions()
    );
}
