use super::parse::check_template;
use super::*;
use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;

const FILE: &str = "/home/u/.config/thanos-tmux/config.toml";

fn parse(text: &str) -> Result<Config> {
    let (config, warnings) =
        parse_with_home(text, Path::new(FILE), Some(PathBuf::from("/home/u")))?;
    assert!(warnings.is_empty(), "unexpected warnings: {warnings:?}");
    Ok(config)
}

/// Parses text whose one problem is a key it should not have: one warning line naming
/// the file, the line and the needles; the config of the other keys.
fn warns(text: &str, line: usize, needles: &[&str]) -> Config {
    let (config, warnings) = parse_with_home(text, Path::new(FILE), Some(PathBuf::from("/home/u")))
        .unwrap_or_else(|e| panic!("{text:?} failed: {e}"));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let warning = &warnings[0];
    assert!(
        warning.starts_with(&format!("{FILE}:{line}: ")),
        "wrong line (want {line}): {warning}"
    );
    for n in needles {
        assert!(warning.contains(n), "{warning:?} lacks {n:?}");
    }
    config
}

fn full() -> Config {
    Config {
        root: Some(PathBuf::from("/home/u/src")),
        prefix: "t_".into(),
        auto_attach: false,
        auto_quit: true,
        auto_restore: false,
        skip_terminals: vec!["vscode", "WarpTerminal"]
            .into_iter()
            .map(String::from)
            .collect(),
        ssh_auto_attach: false,
        second_terminal: SecondTerminal::Share,
        kill_on_logout: vec!["scratch", "tmp-1"]
            .into_iter()
            .map(String::from)
            .collect(),
        restore_programs: vec!["vim", "btop"].into_iter().map(String::from).collect(),
        naming_rules: vec![
            NamingRule {
                path: "~/work/*".into(),
                name: "w-{dir}".into(),
            },
            NamingRule {
                path: "/srv/**".into(),
                name: "{host}-{parent}-{repo}".into(),
            },
        ],
        daemons: vec![
            Daemon {
                name: "bot".into(),
                command: "python3 -m http.server 8080".into(),
                dir: Some(PathBuf::from("/home/u/www")),
                env: vec![
                    ("Z_LAST".into(), "1".into()),
                    ("A_FIRST".into(), "x y".into()),
                ],
                restart: RestartPolicy::Always,
            },
            Daemon {
                name: "web-2".into(),
                command: "sleep 9".into(),
                dir: None,
                env: vec![],
                restart: RestartPolicy::OnFailure,
            },
            Daemon {
                name: "once".into(),
                command: "true".into(),
                dir: Some(PathBuf::from("/tmp")),
                env: vec![],
                restart: RestartPolicy::Never,
            },
        ],
        pick_roots: vec![PathBuf::from("/home/u/src"), PathBuf::from("/work")],
        pick_depth: 2,
    }
}

const FULL: &str = r#"
root = "~/src"
prefix = "t_"
auto_attach = false
auto_quit = true
auto_restore = false
skip_terminals = ["vscode", "WarpTerminal"]
ssh_auto_attach = false
second_terminal = "share"
kill_on_logout = ["scratch", "tmp-1"]
restore_programs = [
  "vim",
  "btop",
]

[pick]
roots = ["~/src", "/work"]
depth = 2

[naming]
[[naming.rules]]
path = "~/work/*"
name = "w-{dir}"
[[naming.rules]]
path = "/srv/**"
name = "{host}-{parent}-{repo}"

[[daemons]]
name = "bot"
command = "python3 -m http.server 8080"
dir = "~/www"
restart = "always"
[daemons.env]
Z_LAST = "1"
A_FIRST = "x y"

[[daemons]]
name = "web-2"
command = "sleep 9"

[[daemons]]
name = "once"
command = "true"
dir = "/tmp"
restart = "never"
"#;

#[test]
fn defaults() {
    let c = Config::default();
    assert_eq!(c.root, None);
    assert_eq!(c.prefix, "thanos-");
    assert!(c.auto_attach && !c.auto_quit && c.auto_restore && c.ssh_auto_attach);
    assert_eq!(c.skip_terminals, ["vscode", "JetBrains-JediTerm", "zed"]);
    assert!(c.kill_on_logout.is_empty());
    assert_eq!(
        c.restore_programs,
        ["vim", "nvim", "less", "man", "htop", "top", "tail"]
    );
    assert!(c.naming_rules.is_empty() && c.daemons.is_empty());
    assert_eq!(parse("").unwrap(), c);
    assert_eq!(parse("# only a comment\n\n").unwrap(), c);
    assert_eq!(parse("[naming]\n").unwrap(), c);
    assert_eq!(parse("daemons = []\n").unwrap(), c);
    assert_eq!(parse("prefix = \"\"\n").unwrap().prefix, "");
}

#[test]
fn full_file() {
    assert_eq!(parse(FULL).unwrap(), full());
    // Inline forms are the same thing.
    let inline = "daemons = [{ name = \"a\", command = \"b\", env = { X = \"1\" } }]\n\
                  naming = { rules = [{ path = \"~\", name = \"home\" }, { path = \"src/*\", name = \"{dir}\" }] }\n";
    let c = parse(inline).unwrap();
    assert_eq!(c.daemons[0].env, [("X".to_string(), "1".to_string())]);
    assert_eq!(c.naming_rules[0].path, "~");
}

#[test]
fn example_file_is_the_defaults_and_its_examples_parse() {
    let example = include_str!("../../config/config.toml");
    assert_eq!(
        parse(example).unwrap(),
        Config::default(),
        "the example shows the defaults"
    );
    // Its commented examples, uncommented: two naming rules and two daemons.
    let mut in_example = false;
    let uncommented: String = example
        .lines()
        .map(|line| {
            in_example = match line.strip_prefix("# ") {
                Some(rest) if rest.starts_with("[[") => true,
                _ if line.trim().is_empty() => false,
                _ => in_example,
            };
            let line = if in_example { &line[2..] } else { line };
            format!("{line}\n")
        })
        .collect();
    let c = parse(&uncommented).unwrap();
    assert_eq!(c.naming_rules.len(), 2);
    assert_eq!(c.daemons.len(), 2);
    assert_eq!(c.daemons[0].name, "bot");
    assert_eq!(c.daemons[0].dir, Some(PathBuf::from("/home/u/www")));
}

#[test]
fn round_trip() {
    let example = parse(include_str!("../../config/config.toml")).unwrap();
    for c in [Config::default(), full(), example] {
        assert_eq!(parse(&c.to_toml()).unwrap(), c, "{}", c.to_toml());
    }
    let mut odd = full();
    odd.daemons[0].command = "echo \"a\\b\"\n\ttab \u{1} é ' ''' #".into();
    odd.daemons[0].env.push(("Q".into(), "\"".into()));
    odd.naming_rules[0].name = "x \"{dir}\" \\".into();
    odd.root = Some(PathBuf::from("/with space/and\"quote"));
    assert_eq!(parse(&odd.to_toml()).unwrap(), odd, "{}", odd.to_toml());
}

/// Parses `text`, expects an error at `line` whose one-line message holds `needles`.
fn fails(text: &str, line: usize, needles: &[&str]) {
    let err = parse(text).expect_err(text).to_string();
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(
        err.starts_with(&format!("{FILE}:{line}: ")),
        "wrong line (want {line}): {err}"
    );
    for n in needles {
        assert!(err.contains(n), "{err:?} lacks {n:?}");
    }
}

#[test]
fn top_level_errors() {
    // An unknown key costs itself only: the rest of the file applies.
    let c = warns(
        "prefix = \"x\"\nauto_atach = false\nauto_quit = true\n",
        2,
        &["unknown key 'auto_atach'", "did you mean 'auto_attach'"],
    );
    assert_eq!(
        (c.prefix.as_str(), c.auto_attach, c.auto_quit),
        ("x", true, true)
    );
    warns("\n\nbogus = 1\n", 3, &["unknown key 'bogus'"]);
    fails(
        "prefix = \"a.b\"\n",
        1,
        &["'prefix' must contain only letters, digits, '_' and '-' (got \"a.b\")"],
    );
    fails(
        "\nprefix = \"-x\"\n",
        2,
        &["'prefix' must not start with '-'"],
    );
    fails(
        &format!("prefix = \"{}\"\n", "a".repeat(33)),
        1,
        &["'prefix' must be at most 32"],
    );
    fails(
        "prefix = 3\n",
        1,
        &["'prefix' must be a string (got integer 3)"],
    );
    for key in [
        "auto_attach",
        "auto_quit",
        "auto_restore",
        "ssh_auto_attach",
    ] {
        fails(
            &format!("\n{key} = \"yes\"\n"),
            2,
            &[&format!(
                "'{key}' must be true or false (got string \"yes\")"
            )],
        );
    }
    fails(
        "auto_attach = 1979-05-27\n",
        1,
        &["'auto_attach'", "got a date"],
    );
    fails("root = \"\"\n", 1, &["'root' must not be empty"]);
    fails(
        "root = \"src\"\n",
        1,
        &["'root' must be an absolute path", "\"src\""],
    );
    fails(
        "root = \"~bob/x\"\n",
        1,
        &["'root' must be an absolute path"],
    );
    fails(
        "root = [\"/x\"]\n",
        1,
        &["'root' must be a string (got an array)"],
    );
    fails(
        "root = \"/a\\u0000b\"\n",
        1,
        &["'root' must not contain NUL"],
    );
    let no_home = parse_with_home("root = \"~/x\"\n", Path::new(FILE), None).unwrap_err();
    assert_eq!(
        no_home.to_string(),
        format!("{FILE}:1: 'root' starts with ~ but HOME is not set")
    );
}

#[test]
fn list_errors() {
    fails(
        "skip_terminals = \"vscode\"\n",
        1,
        &["'skip_terminals' must be an array of strings"],
    );
    fails(
        "skip_terminals = [\n  \"a\",\n  3,\n]\n",
        3,
        &["'skip_terminals[1]' must be a string (got integer 3)"],
    );
    fails(
        "skip_terminals = [\"a\",\n\"\"]\n",
        2,
        &["'skip_terminals[1]' must not be empty"],
    );
    // The check a typed NAME gets: `$` and `\` are refused too, or the entry would
    // validate and never match a session.
    for bad in ["a.b", "a:b", "-x", "a\\tb", "cost$x", "a\\\\b"] {
        fails(
            &format!("kill_on_logout = [\"{bad}\"]\n"),
            1,
            &["'kill_on_logout[0]' is not a valid session name"],
        );
    }
    fails(
        "kill_on_logout = [\"ok\", \"\"]\n",
        1,
        &["'kill_on_logout[1]' must not be empty"],
    );
    fails(
        "restore_programs = [\"/usr/bin/vim\"]\n",
        1,
        &["'restore_programs[0]' must be a program name"],
    );
    fails(
        "restore_programs = [\"my prog\"]\n",
        1,
        &["'restore_programs[0]' must be a program name"],
    );
    fails(
        "restore_programs = [\"\"]\n",
        1,
        &["'restore_programs[0]' must not be empty"],
    );
}

#[test]
fn pick_errors() {
    fails(
        "[pick]\nroots = \"~/src\"",
        2,
        &["pick.roots", "an array of folders"],
    );
    fails(
        "[pick]\nroots = [\"src\"]",
        2,
        &["pick.roots[0]", "absolute"],
    );
    fails("[pick]\ndepth = 0", 2, &["pick.depth", "from 1 to 10"]);
    fails("[pick]\ndepth = \"3\"", 2, &["pick.depth", "from 1 to 10"]);
    fails("pick = 3", 1, &["pick", "a table"]);
    let c = warns(
        "[pick]\ndepth = 4\nroot = \"~\"",
        3,
        &["pick.root", "did you mean 'roots'"],
    );
    assert_eq!(c.pick_depth, 4);
}

#[test]
fn naming_errors() {
    let rule = |body: &str| format!("prefix = \"p\"\n\n[[naming.rules]]\n{body}\n");
    fails("naming = 1\n", 1, &["'naming' must be a table"]);
    warns(
        "[naming]\nrule = []\n",
        2,
        &["unknown key 'naming.rule'", "did you mean 'rules'"],
    );
    fails(
        "[naming]\nrules = 1\n",
        2,
        &["'naming.rules' must be an array of tables"],
    );
    warns(
        &rule("path = \"/x\"\nname = \"n\"\nnmae = 1"),
        6,
        &["unknown key 'naming.rules[0].nmae'"],
    );
    fails(
        &rule("name = \"n\""),
        3,
        &["naming.rules[0] is missing the required key 'path'"],
    );
    fails(
        &rule("path = \"/x\""),
        3,
        &["naming.rules[0] is missing the required key 'name'"],
    );
    fails(
        &rule("path = \"\"\nname = \"n\""),
        4,
        &["'naming.rules[0].path' must not be empty"],
    );
    fails(
        &rule("path = \"~bob/*\"\nname = \"n\""),
        4,
        &["'naming.rules[0].path' may use ~ only as ~ or ~/... (got \"~bob/*\")"],
    );
    fails(
        &rule("path = \"/x\"\nname = \"\""),
        5,
        &["'naming.rules[0].name' must not be empty"],
    );
    fails(
        &rule("path = \"/x\"\nname = \"a-{user}\""),
        5,
        &["'naming.rules[0].name' uses unknown placeholder '{user}'"],
    );
    fails(
        &rule("path = \"/x\"\nname = \"a-{dir\""),
        5,
        &["'naming.rules[0].name' has a '{' without a matching '}'"],
    );
    fails(
        &rule("path = \"/x\"\nname = \"a-{d{dir}}\""),
        5,
        &["'naming.rules[0].name' has a '{' without"],
    );
    fails(
        &rule("path = \"/x\"\nname = \"dir}\""),
        5,
        &["'naming.rules[0].name' has a '}' without a matching '{'"],
    );
    let newline = rule("path = \"/x\"\nname = \"{a\\nb}\"");
    fails(&newline, 5, &["uses unknown placeholder '{a\\nb}'"]);
    let two = "[[naming.rules]]\npath = \"/a\"\nname = \"a\"\n\n[[naming.rules]]\npath = \"/b\"\n";
    fails(
        two,
        5,
        &["naming.rules[1] is missing the required key 'name'"],
    );
}

#[test]
fn daemon_errors() {
    let d = |body: &str| {
        format!("[[daemons]]\nname = \"ok\"\ncommand = \"x\"\n\n[[daemons]]\n{body}\n")
    };
    fails(
        "daemons = 1\n",
        1,
        &["'daemons' must be an array of tables ([[daemons]])"],
    );
    fails(
        "[daemons]\nname = \"a\"\n",
        1,
        &["'daemons' must be an array of tables"],
    );
    fails(
        "daemons = [1]\n",
        1,
        &["'daemons[0]' must be a table (got integer 1)"],
    );
    warns(
        &d("name = \"b\"\ncommand = \"x\"\nrestrat = \"never\""),
        8,
        &["unknown key 'daemons[1].restrat'", "did you mean 'restart'"],
    );
    fails(
        &d("command = \"x\""),
        5,
        &["daemons[1] is missing the required key 'name'"],
    );
    fails(
        &d("name = \"b\""),
        5,
        &["daemons[1] is missing the required key 'command'"],
    );
    fails(
        &d("name = \"\"\ncommand = \"x\""),
        6,
        &["'daemons[1].name' must not be empty"],
    );
    fails(
        &d("name = \"a b\"\ncommand = \"x\""),
        6,
        &["'daemons[1].name' must contain only letters"],
    );
    fails(
        &d("name = \"-b\"\ncommand = \"x\""),
        6,
        &["'daemons[1].name' must not start with '-'"],
    );
    fails(
        &d(&format!("name = \"{}\"\ncommand = \"x\"", "b".repeat(65))),
        6,
        &["'daemons[1].name' must be at most 64"],
    );
    fails(
        &d("name = \"ok\"\ncommand = \"y\""),
        6,
        &["daemons[1].name 'ok' is used twice (first at line 2)"],
    );
    fails(
        &d("name = \"b\"\ncommand = \"  \\t \""),
        7,
        &["'daemons[1].command' must not be empty"],
    );
    fails(
        &d("name = \"b\"\ncommand = 1"),
        7,
        &["'daemons[1].command' must be a string"],
    );
    fails(
        &d("name = \"b\"\ncommand = \"x\"\ndir = \"rel\""),
        8,
        &["'daemons[1].dir' must be an absolute path"],
    );
    fails(
        &d("name = \"b\"\ncommand = \"x\"\nenv = [\"A=1\"]"),
        8,
        &["'daemons[1].env' must be a table"],
    );
    fails(
        &d("name = \"b\"\ncommand = \"x\"\n[daemons.env]\nOK = \"1\"\n1BAD = \"2\""),
        10,
        &["'daemons[1].env.1BAD' is not a valid environment variable name"],
    );
    fails(
        &d("name = \"b\"\ncommand = \"x\"\nenv = { \"A-B\" = \"1\" }"),
        8,
        &["'daemons[1].env.A-B' is not a valid"],
    );
    fails(
        &d("name = \"b\"\ncommand = \"x\"\n[daemons.env]\nPORT = 8080"),
        9,
        &["'daemons[1].env.PORT' must be a string (got integer 8080)"],
    );
    fails(&d("name = \"b\"\ncommand = \"x\"\nrestart = \"sometimes\""), 8, &["'daemons[1].restart' must be \"never\", \"on-failure\" or \"always\" (got string \"sometimes\")"]);
    fails(
        &d("name = \"b\"\ncommand = \"x\"\nrestart = false"),
        8,
        &["'daemons[1].restart' must be a string"],
    );
}

#[test]
fn implicit_tables_have_lines() {
    warns("prefix = \"p\"\n\na.b = 1\n", 3, &["unknown key 'a'"]);
    warns("\n[x.y]\nz = 1\n", 2, &["unknown key 'x'"]);
    fails(
        "\n\n[daemons.x]\n",
        3,
        &["'daemons' must be an array of tables"],
    );
    fails(
        "[naming]\n\n[naming.rules.x]\n",
        3,
        &["'naming.rules' must be an array of tables"],
    );
    warns(
        "[naming]\nother.x = 1\n",
        2,
        &["unknown key 'naming.other'"],
    );
    let dotted = "[[daemons]]\nname = \"a\"\ncommand = \"b\"\nenv.OK = \"1\"\nenv.X.Y = \"2\"\n";
    fails(
        dotted,
        5,
        &["'daemons[0].env.X' must be a string (got a table)"],
    );
    fails(
        "prefix = 1.5\n",
        1,
        &["'prefix' must be a string (got a float)"],
    );
    fails(
        "auto_quit = 07:32:00\n",
        1,
        &["'auto_quit' must be true or false (got a date)"],
    );
    fails(
        "skip_terminals = [1979-05-27]\n",
        1,
        &["'skip_terminals[0]' must be a string (got a date)"],
    );
}

#[test]
fn syntax_errors_are_one_line() {
    fails("prefix = \"x\"\nauto_attach = \n", 2, &["invalid TOML"]);
    fails(
        "prefix = \"x\"\n\nprefix = \"y\"\n",
        3,
        &["invalid TOML", "duplicate key"],
    );
    fails("a = \"unterminated\n", 1, &["invalid TOML"]);
    fails("[[daemons]\nname = \"x\"\n", 1, &["invalid TOML"]);
    fails("x = 1\n\n\n= 2\n", 4, &["invalid TOML"]);
}

/// A fresh config file (owned by the caller) with `text` and `mode`.
fn write(dir: &Path, text: &str, mode: u32) -> PathBuf {
    let path = dir.join("config.toml");
    let _ = std::fs::remove_file(&path);
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

#[test]
fn unsafe_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = "prefix = \"p-\"\n";
    for mode in [0o600, 0o644, 0o400] {
        let path = write(dir.path(), good, mode);
        assert_eq!(
            Config::load_from(&path, &Environment::default())
                .unwrap()
                .prefix,
            "p-"
        );
    }
    for mode in [0o666, 0o620, 0o602] {
        let path = write(dir.path(), good, mode);
        let shown = path.display();
        let want =
            format!("config file {shown} is writable by other users; run: chmod go-w {shown}");
        assert_eq!(
            Config::load_from(&path, &Environment::default())
                .unwrap_err()
                .to_string(),
            want
        );
    }
    // Another owner can only be set up by root.
    let path = write(dir.path(), good, 0o600);
    if std::os::unix::fs::chown(&path, Some(4242), Some(4242)).is_ok() {
        let err = Config::load_from(&path, &Environment::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("belongs to another user (uid 4242)"), "{err}");
    }
    let missing = dir.path().join("nope.toml");
    let err = Config::load_from(&missing, &Environment::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!("config file {} does not exist", missing.display())
    );
    let path = write(dir.path(), "prefix = 1\n", 0o600);
    let err = Config::load_from(&path, &Environment::default())
        .unwrap_err()
        .to_string();
    let shown = path.display();
    assert_eq!(
        err,
        format!("{shown}:1: 'prefix' must be a string (got integer 1)")
    );
}

#[test]
fn path_precedence() {
    let path = |vars: &[(&str, &str)]| {
        let env = Environment::from_lookup(|k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| OsString::from(v))
        });
        Config::path(&env)
    };
    let all = [
        ("THANOS_TMUX_CONFIG", "/explicit/c.toml"),
        ("XDG_CONFIG_HOME", "/xdg"),
        ("HOME", "/home/me"),
    ];
    assert_eq!(path(&all), Some(PathBuf::from("/explicit/c.toml")));
    let xdg = [
        ("THANOS_TMUX_CONFIG", ""),
        ("XDG_CONFIG_HOME", "/xdg"),
        ("HOME", "/home/me"),
    ];
    assert_eq!(
        path(&xdg),
        Some(PathBuf::from("/xdg/thanos-tmux/config.toml"))
    );
    let home = Some(PathBuf::from("/home/me/.config/thanos-tmux/config.toml"));
    assert_eq!(path(&[("XDG_CONFIG_HOME", ""), ("HOME", "/home/me")]), home);
    assert_eq!(
        path(&[("XDG_CONFIG_HOME", "relative"), ("HOME", "/home/me")]),
        home
    );
    assert_eq!(path(&[("XDG_CONFIG_HOME", "relative"), ("HOME", "")]), None);
    assert_eq!(path(&[]), None);
}

/// The file named by the environment the caller hands over.
#[test]
fn environment() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    let env =
        Environment::from_lookup(|k| (k == "THANOS_TMUX_CONFIG").then(|| file.clone().into()));
    assert_eq!(Config::path(&env), Some(file.clone()));
    // A missing file gives the defaults; a present one is read and named.
    assert_eq!(Config::load(&env).unwrap(), ConfigFile::default());
    std::fs::write(&file, "prefix = \"q-\"\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let loaded = Config::load(&env).unwrap();
    assert_eq!(
        (loaded.config.prefix.as_str(), loaded.path),
        ("q-", Some(file.clone()))
    );
    std::fs::write(&file, "prefix = \"q-\"\nbad = 1\n").unwrap();
    let loaded = Config::load(&env).unwrap();
    assert_eq!(loaded.config.prefix, "q-");
    assert_eq!(
        loaded.warnings,
        [format!("{}:2: unknown key 'bad'", file.display())]
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
    assert!(Config::load(&env)
        .unwrap_err()
        .to_string()
        .contains("chmod go-w"));
}

#[test]
fn helpers() {
    let home = Some(Path::new("/h"));
    assert_eq!(expand_tilde("~", home), Some(PathBuf::from("/h")));
    assert_eq!(expand_tilde("~/a/b", home), Some(PathBuf::from("/h/a/b")));
    assert_eq!(expand_tilde("~bob", home), Some(PathBuf::from("~bob")));
    assert_eq!(expand_tilde("/x/~", home), Some(PathBuf::from("/x/~")));
    assert_eq!(expand_tilde("~/a", None), None);
    assert_eq!(check_template("{dir}-{parent}@{repo}.{host}"), None);
    for p in POLICIES {
        assert_eq!(p.0, p.1.as_str());
    }
}
