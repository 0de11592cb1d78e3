//! The command line as a whole: global options, the config as attach
//! sees it, and the rule that every failure is one line, never a panic.

use crate::support::*;
use std::fs;
use std::os::unix::fs::PermissionsExt;

#[test]
fn version_and_help_exit_0_on_stdout() {
    let sb = Sandbox::new();
    let version = sb.ok(&["--version"]);
    assert!(version.starts_with("thanos-tmux "), "{version}");
    let help = sb.ok(&["--help"]);
    for word in [
        "attach",
        "list",
        "kill",
        "cleanup",
        "forget",
        "THANOS_TMUX_SESSION",
    ] {
        assert!(help.contains(word), "--help lacks {word}:\n{help}");
    }
    assert!(!sb.server_running());
}

#[test]
fn an_unknown_subcommand_or_flag_is_a_usage_error() {
    let sb = Sandbox::new();
    assert_eq!(sb.code(&["list", "--bogus"]), 2);
    assert_eq!(sb.code(&["kill"]), 2, "kill needs a NAME");
    assert_eq!(sb.code(&["cleanup", "--dry"]), 2);
    assert!(!sb.server_running());
}

#[test]
fn a_mistyped_subcommand_creates_nothing_and_says_what_was_meant() {
    let sb = Sandbox::new();
    for (typed, meant) in [
        (&["lsit"][..], "list"),
        (&["kil", "web"], "kill"),
        (&["-L", "other", "stauts"], "status"),
        (&["daem", "-d"], "daemons"),
    ] {
        let out = sb.run(typed);
        assert_eq!(exit_code(&out), 2, "{typed:?}: {}", describe(&out));
        assert_one_error_line(&out);
        let word = typed
            .iter()
            .find(|w| !w.starts_with('-') && **w != "other")
            .unwrap();
        assert!(
            stderr(&out).contains(&format!(
                "unknown command '{word}'; did you mean '{meant}'? (a new session with that name: thanos-tmux attach {word})"
            )),
            "{}",
            describe(&out)
        );
    }
    assert!(!sb.server_running(), "a typo started tmux");
    assert!(sb.recorded().is_empty(), "a typo was recorded");

    // A session of that name, made on purpose, is reached by its name from then on.
    sb.ok(&["attach", "-d", "lsit"]);
    let out = sb.run(&["lsit", "-d"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert!(stderr(&out).contains("exists: lsit"), "{}", describe(&out));
    // A word near no subcommand is a session name, as always.
    sb.ok(&["frontend", "-d"]);
    assert_eq!(sb.sessions_sorted(), ["frontend", "lsit"]);
}

#[test]
fn global_options_work_before_the_subcommand() {
    // `-L/--socket-name`, `-S`, `-v`, `-q`, `--color` are global options; a user
    // writes them first (`thanos-tmux -L work list`), as with tmux itself.
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "-L", "work", "w1"]);
    let cases: &[(&[&str], &str)] = &[
        (&["-L", "work", "list", "--names"], "w1\n"),
        (&["--socket-name", "work", "list", "--names"], "w1\n"),
        (&["-q", "list", "--names"], ""),
        (&["--color", "never", "list", "--json"], "[]\n"),
        (&["-v", "name"], "thanos-main\n"),
    ];
    for (args, want) in cases {
        let out = sb.run(args);
        assert_eq!(exit_code(&out), 0, "{args:?}: {}", describe(&out));
        assert_eq!(stdout(&out), *want, "{args:?}: {}", describe(&out));
    }
    let socket = sb.socket_path().with_file_name("work");
    let out = sb.run(&["-S", socket.to_str().unwrap(), "attach", "-d", "w2"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(
        sb.ok(&["list", "-S", socket.to_str().unwrap(), "--names"]),
        "w1\nw2\n"
    );
    assert!(sb.sessions().is_empty(), "the default server was used");
}

#[test]
fn global_options_work_after_the_subcommand() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "-L", "work", "w1"]);
    assert_eq!(sb.ok(&["list", "--names", "-L", "work"]), "w1\n");
    assert_eq!(sb.ok(&["list", "--names", "-q"]), "");
    let out = sb.run(&["kill", "-L", "work", "--yes", "w1"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert!(sb.sessions().is_empty());
}

#[test]
fn thanos_tmux_socket_selects_the_server_and_flags_beat_it() {
    let sb = Sandbox::new();
    let out = sb
        .cmd(&["attach", "-d", "envsel"])
        .env("THANOS_TMUX_SOCKET", "viaenv")
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert!(sb.sessions().is_empty(), "the default server was used");
    assert_eq!(sb.ok(&["list", "-L", "viaenv", "--names"]), "envsel\n");
    let out = sb
        .cmd(&["list", "-L", "other", "--names"])
        .env("THANOS_TMUX_SOCKET", "viaenv")
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out),
        "",
        "the flag must beat the variable: {}",
        describe(&out)
    );
}

#[test]
fn quiet_silences_the_chatter_but_not_errors() {
    let sb = Sandbox::new();
    let out = sb.run(&["attach", "-d", "-q", "work"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(stderr(&out), "");
    let out = sb.run(&["kill", "-q", "--yes", "missing"]);
    assert_eq!(exit_code(&out), 4, "{}", describe(&out));
    assert_one_error_line(&out);
}

#[test]
fn config_path_follows_xdg_and_the_override() {
    let sb = Sandbox::new();
    assert_eq!(
        sb.ok(&["config", "path"]),
        format!("{}\n", sb.config.join("thanos-tmux/config.toml").display())
    );
    let custom = sb.root.join("elsewhere.toml");
    let out = sb
        .cmd(&["config", "path"])
        .env("THANOS_TMUX_CONFIG", &custom)
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out),
        format!("{}\n", custom.display()),
        "{}",
        describe(&out)
    );
}

#[test]
fn config_root_and_prefix_shape_the_built_in_sessions() {
    let sb = Sandbox::new();
    let root = sb.mkdir("src");
    sb.write_config("root = \"~/src\"\nprefix = \"my-\"\n");
    sb.ok(&["attach", "-d"]);
    sb.ok(&["attach", "-d", "dev"]);
    assert_eq!(sb.sessions_sorted(), ["my-dev", "my-main"]);
    assert_eq!(sb.session_path("my-main").as_deref(), root.to_str());
    assert_eq!(sb.session_path("my-dev").as_deref(), root.to_str());
    assert_eq!(sb.ok(&["name"]), "my-main\n");
    // THANOS_ROOT beats the config.
    let other = sb.mkdir("other-root");
    let out = sb
        .cmd(&["attach", "-d", "monitor"])
        .env("THANOS_ROOT", &other)
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(sb.session_path("my-monitor").as_deref(), other.to_str());
}

#[test]
fn an_unknown_config_key_is_one_warning_and_the_rest_applies() {
    let sb = Sandbox::new();
    let path = sb.write_config("prefix = \"ok-\"\n\nauto_atach = true\n");
    let out = sb.run(&["attach", "-d", "main"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let err = stderr(&out);
    let warning = format!(
        "thanos-tmux: warning: {}:3: unknown key 'auto_atach' (did you mean 'auto_attach'?)",
        path.display()
    );
    assert_eq!(err.lines().next(), Some(warning.as_str()), "{err}");
    assert_eq!(err.lines().count(), 2, "the warning and 'created': {err}");
    assert_eq!(sb.sessions(), ["ok-main"], "the rest of the file applied");
    // `doctor` shows it as a warning, not a failure of the config.
    let doctor = sb.run(&["doctor"]);
    assert!(
        stdout(&doctor).contains(&format!("! {}:3: unknown key 'auto_atach'", path.display())),
        "{}",
        describe(&doctor)
    );
    // `-q` silences it.
    assert_eq!(stderr(&sb.run(&["-q", "list"])), "");
}

#[test]
fn a_bad_config_value_is_one_line_naming_the_file_line_and_key() {
    let sb = Sandbox::new();
    let path = sb.write_config("prefix = \"ok-\"\n\nauto_attach = \"yes\"\n");
    let out = sb.run(&["attach", "-d"]);
    assert_eq!(exit_code(&out), 1, "{}", describe(&out));
    assert_one_error_line(&out);
    let err = stderr(&out);
    assert!(
        err.contains(path.to_str().unwrap()),
        "names the file: {err}"
    );
    assert!(err.contains(":3"), "names the line: {err}");
    assert!(err.contains("auto_attach"), "names the key: {err}");
    assert!(!sb.server_running(), "attached despite the bad config");
    // A bad config never hides the sessions.
    let out = sb.run(&["list", "--json"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let out = sb.run(&["config", "show"]);
    assert_eq!(exit_code(&out), 1, "{}", describe(&out));
    assert_one_error_line(&out);
}

#[test]
fn config_init_writes_the_documented_defaults_once_and_never_over_a_file() {
    let sb = Sandbox::new();
    let path = sb.config.join("thanos-tmux/config.toml");
    let out = sb.run(&["config", "init"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert!(
        stderr(&out).contains(path.to_str().unwrap()),
        "{}",
        describe(&out)
    );
    let example = include_str!("../../config/config.toml");
    assert_eq!(fs::read_to_string(&path).unwrap(), example);
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // What it wrote is the configuration in force: the defaults, with nothing to warn of.
    let shown = sb.run(&["config", "show"]);
    assert_eq!(exit_code(&shown), 0, "{}", describe(&shown));
    assert_eq!(stderr(&shown), "", "{}", describe(&shown));
    let without_a_file = Sandbox::new().ok(&["config", "show"]);
    let body = |text: &str| text.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(
        body(&stdout(&shown)),
        body(&without_a_file),
        "not the defaults"
    );

    // A second time, or over the user's own file: refused, the file untouched.
    fs::write(&path, "prefix = \"mine-\"\n").unwrap();
    let out = sb.run(&["config", "init"]);
    assert_eq!(exit_code(&out), 1, "{}", describe(&out));
    assert_one_error_line(&out);
    assert!(
        stderr(&out).contains(path.to_str().unwrap()),
        "{}",
        describe(&out)
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "prefix = \"mine-\"\n");
}

#[test]
fn a_config_file_others_can_write_is_refused() {
    let sb = Sandbox::new();
    let path = sb.write_config("prefix = \"x-\"\n");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o666)).unwrap();
    let out = sb.run(&["attach", "-d"]);
    assert_eq!(exit_code(&out), 1, "{}", describe(&out));
    assert_one_error_line(&out);
    assert!(
        stderr(&out).contains(path.to_str().unwrap()),
        "{}",
        describe(&out)
    );
    assert!(!sb.server_running());
}

#[test]
fn every_failure_is_one_line_without_a_panic() {
    let sb = Sandbox::new();
    sb.ok(&["attach", "-d", "live"]);
    let cases: &[(&[&str], i32)] = &[
        (&["attach", "live"], 1),
        (&["live"], 1),
        (&["kill", "live"], 1),
        (&["kill", "missing", "--yes"], 4),
        (&["kill", "missing", "other-missing", "--yes"], 4),
        (&["forget", "missing"], 4),
        (&["attach", "-d", "a.b"], 2),
        (&["attach", "-d", "-c", "/does/not/exist", "x"], 1),
        (&["name", "/does/not/exist"], 0),
    ];
    for (args, code) in cases {
        let out = sb.run(args);
        assert_eq!(exit_code(&out), *code, "{args:?}: {}", describe(&out));
        if *code != 0 {
            assert_one_error_line(&out);
        }
    }
    // Deleted current folder.
    let gone = sb.mkdir("gone");
    let script = format!(
        "rmdir \"$PWD\" && exec {} attach -d",
        sh_quote(bin().to_str().unwrap())
    );
    let out = std::process::Command::new("/bin/sh")
        .args(["-c", &script])
        .env_clear()
        .envs(sb.env())
        .current_dir(&gone)
        .output()
        .unwrap();
    assert!(!gone.exists());
    assert_eq!(exit_code(&out), 1, "{}", describe(&out));
    assert_one_error_line(&out);
    // HOME unset.
    let out = sb
        .cmd(&["attach", "-d", "x"])
        .env_remove("HOME")
        .output()
        .unwrap();
    assert!(!stderr(&out).contains("panicked"), "{}", describe(&out));
}
