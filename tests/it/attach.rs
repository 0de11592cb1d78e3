//! `attach --detached` and `thanos-tmux [NAME] -d`: which session, where it starts,
//! what happens without a terminal, and which typed names are refused.

use crate::support::*;

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn detached_from_home_creates_thanos_main_in_home() {
    let sb = Sandbox::new();
    let out = sb.run(&["attach", "--detached"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(stderr(&out), "thanos-tmux: created thanos-main\n");
    assert_eq!(stdout(&out), "");
    assert_eq!(sb.sessions(), ["thanos-main"]);
    assert_eq!(sb.session_path("thanos-main").as_deref(), sb.home.to_str());
    assert_eq!(
        sb.session_option("thanos-main", "@thanos-managed")
            .as_deref(),
        Some("1")
    );
    let records = sb.records();
    assert_eq!(sb.recorded(), ["thanos-main"]);
    assert_eq!(
        records["thanos-main"]["start_dir"],
        sb.home.to_str().unwrap()
    );
}

#[test]
fn top_level_detached_forms_work_like_attach() {
    let sb = Sandbox::new();
    sb.ok(&["-d"]);
    sb.ok(&["work", "-d"]);
    sb.ok(&[
        "--detached",
        "notes",
        "-c",
        sb.mkdir("notes").to_str().unwrap(),
    ]);
    assert_eq!(sb.sessions_sorted(), ["notes", "thanos-main", "work"]);
    assert_eq!(
        sb.session_path("notes"),
        Some(sb.home.join("notes").to_string_lossy().into_owned())
    );
}

#[test]
fn running_it_twice_keeps_one_session() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d"]);
    let out = sb.run(&["attach", "-d"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(stderr(&out), "thanos-tmux: exists: thanos-main\n");
    assert_eq!(sb.sessions(), ["thanos-main"]);
    assert_eq!(sb.recorded(), ["thanos-main"]);
}

#[test]
fn aliases_mean_the_prefixed_sessions_started_in_the_root() {
    let sb = Sandbox::new();
    // From inside a repository: the aliases still start in the root (HOME), not here.
    let repo = sb.git_repo("code/proj");
    for alias in ["dev", "monitor", "main"] {
        sb.ok_in(&repo, &["attach", "-d", alias]);
    }
    assert_eq!(
        sb.sessions_sorted(),
        ["thanos-dev", "thanos-main", "thanos-monitor"]
    );
    for name in ["thanos-dev", "thanos-main", "thanos-monitor"] {
        assert_eq!(sb.session_path(name).as_deref(), sb.home.to_str(), "{name}");
    }
    // Top-level form too.
    sb.ok(&["dev", "-d"]);
    assert_eq!(sb.sessions().len(), 3);
}

#[test]
fn an_alias_that_is_a_live_session_name_is_taken_literally() {
    let sb = Sandbox::new();
    sb.start_server("dev");
    let out = sb.run(&["attach", "-d", "dev"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(stderr(&out), "thanos-tmux: exists: dev\n");
    assert_eq!(sb.sessions(), ["dev"]);
    // `main` is not live, so it still expands.
    sb.ok(&["attach", "-d", "main"]);
    assert_eq!(sb.sessions_sorted(), ["dev", "thanos-main"]);
}

#[test]
fn dash_c_sets_the_start_folder() {
    let sb = Sandbox::new();
    let dir = sb.mkdir("somewhere/deep");
    sb.ok(&["attach", "-d", "-c", dir.to_str().unwrap(), "work"]);
    assert_eq!(sb.session_path("work").as_deref(), dir.to_str());
    // A relative -c is taken from the current folder.
    sb.ok_in(
        &sb.home.join("somewhere"),
        &["attach", "-d", "-c", "deep", "rel"],
    );
    assert_eq!(sb.session_path("rel").as_deref(), dir.to_str());
}

#[test]
fn dash_c_with_a_missing_folder_is_an_error_and_creates_nothing() {
    let sb = Sandbox::new();
    let missing = sb.home.join("nope");
    let out = sb.run(&["attach", "-d", "-c", missing.to_str().unwrap(), "work"]);
    assert_eq!(exit_code(&out), 1, "{}", describe(&out));
    assert_one_error_line(&out);
    assert!(
        stderr(&out).contains(missing.to_str().unwrap()),
        "{}",
        describe(&out)
    );
    assert!(sb.sessions().is_empty());
}

#[test]
fn inside_a_repository_the_session_is_named_after_it_and_starts_at_its_root() {
    let sb = Sandbox::new();
    let repo = sb.git_repo("code/proj");
    let deep = sb.mkdir("code/proj/src/deep");
    sb.ok_in(&deep, &["attach", "-d"]);
    assert_eq!(sb.sessions(), ["proj"]);
    assert_eq!(sb.session_path("proj").as_deref(), repo.to_str());
    // From the root itself: the same session, nothing new.
    let out = sb.run_in(&repo, &["attach", "-d"]);
    assert_eq!(
        stderr(&out),
        "thanos-tmux: exists: proj\n",
        "{}",
        describe(&out)
    );
    assert_eq!(sb.sessions(), ["proj"]);
}

#[test]
fn a_worktree_file_counts_as_a_repository() {
    let sb = Sandbox::new();
    let wt = sb.mkdir("code/feature-x");
    std::fs::write(
        wt.join(".git"),
        "gitdir: /elsewhere/.git/worktrees/feature-x\n",
    )
    .unwrap();
    assert_eq!(sb.ok_in(&wt, &["name"]), "feature-x\n");
    sb.ok_in(&wt, &["attach", "-d"]);
    assert_eq!(sb.session_path("feature-x").as_deref(), wt.to_str());
}

#[test]
fn a_dotfiles_repository_in_home_does_not_rename_terminals() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.home.join(".git")).unwrap();
    let notes = sb.mkdir("notes");
    assert_eq!(sb.ok_in(&notes, &["name"]), "thanos-main\n");
    assert_eq!(sb.ok(&["name"]), "thanos-main\n");
    sb.ok_in(&notes, &["attach", "-d"]);
    assert_eq!(sb.sessions(), ["thanos-main"]);
    assert_eq!(sb.session_path("thanos-main").as_deref(), sb.home.to_str());
}

#[test]
fn name_prints_what_attach_would_pick() {
    let sb = Sandbox::new();
    let repo = sb.git_repo("code/proj");
    let sub = sb.mkdir("code/proj/sub");
    let plain = sb.mkdir("plain");
    assert_eq!(sb.ok(&["name"]), "thanos-main\n");
    assert_eq!(sb.ok_in(&sub, &["name"]), "proj\n");
    assert_eq!(sb.ok(&["name", sub.to_str().unwrap()]), "proj\n");
    assert_eq!(sb.ok(&["name", "code/proj/sub"]), "proj\n");
    assert_eq!(sb.ok(&["name", plain.to_str().unwrap()]), "thanos-main\n");
    // And attach agrees.
    sb.ok_in(&sub, &["attach", "-d"]);
    sb.ok_in(&plain, &["attach", "-d"]);
    assert_eq!(sb.sessions_sorted(), ["proj", "thanos-main"]);
    assert_eq!(sb.session_path("proj").as_deref(), repo.to_str());
}

#[test]
fn thanos_tmux_session_forces_the_name() {
    let sb = Sandbox::new();
    let repo = sb.git_repo("code/proj");
    let out = sb
        .cmd_in(&repo, &["attach", "-d"])
        .env("THANOS_TMUX_SESSION", "forced")
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(sb.sessions(), ["forced"]);
    let out = sb
        .cmd_in(&repo, &["name"])
        .env("THANOS_TMUX_SESSION", "forced")
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "forced\n", "{}", describe(&out));
    // A typed NAME still wins over the variable.
    let out = sb
        .cmd_in(&repo, &["attach", "-d", "typed"])
        .env("THANOS_TMUX_SESSION", "forced")
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(sb.sessions_sorted(), ["forced", "typed"]);
}

#[test]
fn a_forced_name_that_tmux_would_alter_is_refused() {
    let sb = Sandbox::new();
    let out = sb
        .cmd(&["attach", "-d"])
        .env("THANOS_TMUX_SESSION", "a.b")
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 2, "{}", describe(&out));
    assert_one_error_line(&out);
    assert!(stderr(&out).contains("'a-b'"), "{}", describe(&out));
    assert!(sb.sessions().is_empty());
}

#[test]
fn two_checkouts_with_the_same_name_get_separate_sessions() {
    let sb = Sandbox::new();
    let first = sb.git_repo("work/api");
    let second = sb.git_repo("forks/api");
    sb.ok_in(&first, &["attach", "-d"]);
    assert_eq!(sb.ok_in(&second, &["name"]), "api-forks\n");
    sb.ok_in(&second, &["attach", "-d"]);
    assert_eq!(sb.sessions_sorted(), ["api", "api-forks"]);
    assert_eq!(sb.session_path("api").as_deref(), first.to_str());
    assert_eq!(sb.session_path("api-forks").as_deref(), second.to_str());
    // Each folder keeps its own session.
    assert_eq!(sb.ok_in(&first, &["name"]), "api\n");
    assert_eq!(sb.ok_in(&second, &["name"]), "api-forks\n");
    sb.ok_in(&first.join(".git"), &["attach", "-d"]);
    sb.ok_in(&second, &["attach", "-d"]);
    assert_eq!(sb.sessions().len(), 2);
    // A third checkout under another folder called `forks`.
    let third = sb.git_repo("old/forks/api");
    sb.ok_in(&third, &["attach", "-d"]);
    assert_eq!(sb.sessions_sorted(), ["api", "api-forks", "api-forks-2"]);
    assert_eq!(sb.session_path("api-forks-2").as_deref(), third.to_str());
}

#[test]
fn naming_rules_from_the_config_name_sessions() {
    let sb = Sandbox::new();
    sb.write_config("[[naming.rules]]\npath = \"~/work/*\"\nname = \"w-{dir}\"\n");
    let project = sb.mkdir("work/shop");
    let sub = sb.mkdir("work/shop/src");
    assert_eq!(sb.ok_in(&sub, &["name"]), "w-shop\n");
    sb.ok_in(&sub, &["attach", "-d"]);
    assert_eq!(sb.sessions(), ["w-shop"]);
    assert_eq!(sb.session_path("w-shop").as_deref(), project.to_str());
}

#[test]
fn targets_are_exact_attach_api_next_to_api_long() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "api-long"]);
    let out = sb.run(&["attach", "-d", "api"]);
    assert_eq!(
        stderr(&out),
        "thanos-tmux: created api\n",
        "{}",
        describe(&out)
    );
    assert_eq!(sb.sessions_sorted(), ["api", "api-long"]);
    // A raw prefix match would also make `exists:` wrong the other way round.
    sb.tmux_ok(&["new-session", "-d", "-s", "web2"]);
    let out = sb.run(&["attach", "-d", "web"]);
    assert_eq!(
        stderr(&out),
        "thanos-tmux: created web\n",
        "{}",
        describe(&out)
    );
    assert_eq!(sb.sessions_sorted(), ["api", "api-long", "web", "web2"]);
}

#[test]
fn without_a_terminal_attach_refuses_in_one_line_and_creates_nothing() {
    let sb = Sandbox::new();
    for args in [
        strings(&["attach", "work"]),
        strings(&["attach"]),
        strings(&[]),
        strings(&["work"]),
    ] {
        let out = sb.run(&args);
        assert_eq!(exit_code(&out), 1, "{args:?}: {}", describe(&out));
        assert_one_error_line(&out);
        assert!(
            stderr(&out).contains("terminal"),
            "{args:?}: {}",
            describe(&out)
        );
        assert!(stdout(&out).is_empty());
    }
    assert!(!sb.server_running(), "a server was started");
}

#[test]
fn typed_names_that_tmux_would_alter_are_refused_with_a_suggestion() {
    let sb = Sandbox::new();
    sb.start_server("probe");
    let cases: &[(&[&str], &str)] = &[
        (&["attach", "-d", "a.b"], "a-b"),
        (&["attach", "-d", "a:b"], "a-b"),
        (&["attach", "-d", "--", "-x"], "x"),
        (&["attach", "-d", ""], "thanos-main"),
        (&["attach", "-d", "a\nb"], "a-b"),
        (&["attach", "-d", "tab\there"], "tab-here"),
        (&["attach", "-d", "del\x7f"], "del-"),
        (&["-d", "my.project"], "my-project"),
        (&["kill", "--yes", "a.b"], "a-b"),
    ];
    for (args, suggestion) in cases {
        let out = sb.run(args);
        assert_eq!(exit_code(&out), 2, "{args:?}: {}", describe(&out));
        assert_one_error_line(&out);
        assert!(
            stderr(&out).contains(&format!("'{suggestion}'")),
            "{args:?} should suggest '{suggestion}': {}",
            describe(&out)
        );
    }
    assert_eq!(sb.sessions(), ["probe"]);
}

#[test]
fn a_typed_name_with_a_backslash_is_refused_since_tmux_would_double_it() {
    // tmux stores `back\slash` as `back\\slash` (it escapes the backslash), so the
    // session could never be found by the name the user typed.
    let sb = Sandbox::new();
    sb.start_server("probe");
    for (name, suggestion) in [("back\\slash", "back-slash"), ("end\\", "end-")] {
        let out = sb.run(&["attach", "-d", name]);
        assert_eq!(exit_code(&out), 2, "{name:?}: {}", describe(&out));
        assert_one_error_line(&out);
        assert!(
            stderr(&out).contains(&format!("'{suggestion}'")),
            "{name:?}: {}",
            describe(&out)
        );
    }
    assert_eq!(sb.sessions(), ["probe"]);
}

#[test]
fn a_leading_dash_without_double_dash_is_a_usage_error() {
    let sb = Sandbox::new();
    let out = sb.run(&["attach", "-d", "-x"]);
    assert_eq!(exit_code(&out), 2, "{}", describe(&out));
    assert!(!sb.server_running());
}
