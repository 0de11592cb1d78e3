//! Static checks of the shell integration:
//! every snippet parses in its shell and passes the linters, loads silently with strict
//! flags and no rc files, registers its hooks once when sourced twice, `init` reads no
//! config and calls no tmux, and the committed completions match the binary and the CLI.
//! No terminal and no tmux server: these run in a second or two.

use crate::shell_support::*;
use crate::support::*;
use clap::CommandFactory;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary's command-line definition, read as it is compiled into the binary.
#[allow(dead_code)]
#[path = "../../src/cli.rs"]
pub(crate) mod cli;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A tool the checks need; a missing one fails and says how to install it.
fn tool(name: &str, package: &str) -> PathBuf {
    which(name).unwrap_or_else(|| {
        panic!(
            "{name} is not installed; the lint tests need it: \
             apt-get install {package} (or brew install {package})"
        )
    })
}

/// `thanos-tmux init SHELL [flags]` (no sandbox needed: init reads nothing).
fn init(sh: Sh, flags: &[&str]) -> String {
    let out = Command::new(bin())
        .arg("init")
        .arg(sh.name())
        .args(flags)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "init {sh:?}: {}", describe(&out));
    assert!(out.stderr.is_empty(), "init {sh:?}: {}", describe(&out));
    stdout(&out)
}

/// Every init variant: (label, shell, text).
fn inits() -> Vec<(String, Sh, String)> {
    let mut all = Vec::new();
    for sh in SHELLS {
        for flags in [&[][..], &["--no-attach"][..]] {
            all.push((format!("init {} {flags:?}", sh.name()), sh, init(sh, flags)));
        }
    }
    all
}

/// The files of `shell/` with their shell.
fn shell_files() -> Vec<(PathBuf, Sh)> {
    let mut files: Vec<(PathBuf, Sh)> = fs::read_dir(repo().join("shell"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter_map(|p| {
            let sh = match p.extension()?.to_str()? {
                "bash" => Sh::Bash,
                "zsh" => Sh::Zsh,
                "fish" => Sh::Fish,
                _ => return None,
            };
            Some((p, sh))
        })
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        6,
        "shell/ should hold 6 snippet files: {files:?}"
    );
    files
}

fn run_ok(what: &str, cmd: &mut Command) -> Output {
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    assert!(out.status.success(), "{what}:\n{}", describe(&out));
    out
}

/// The parse-only command of a shell for a file.
fn parse_cmd(sh: Sh, file: &Path) -> Command {
    let mut cmd = Command::new(sh.program());
    match sh {
        Sh::Bash => cmd.arg("-n"),
        Sh::Zsh => cmd.arg("-n"),
        Sh::Fish => cmd.arg("--no-execute"),
    };
    cmd.arg(file);
    cmd
}

/// Writes `text` to a temp file named for the shell; returns it (kept by the TempDir).
fn temp_file(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir
        .path()
        .join(name.replace([' ', '"', '[', ']', ','], "_"));
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn every_snippet_parses_in_its_shell() {
    let tmp = tempfile::tempdir().unwrap();
    for (label, sh, text) in inits() {
        let file = temp_file(&tmp, &format!("{label}.{}", sh.name()), &text);
        let out = run_ok(
            &format!("{label} does not parse"),
            &mut parse_cmd(sh, &file),
        );
        assert!(out.stderr.is_empty(), "{label}: {}", describe(&out));
    }
    for (file, sh) in shell_files() {
        let out = run_ok(
            &format!("{} does not parse", file.display()),
            &mut parse_cmd(sh, &file),
        );
        assert!(
            out.stderr.is_empty(),
            "{}: {}",
            file.display(),
            describe(&out)
        );
    }
}

#[test]
fn shellcheck_passes_the_bash_snippets_and_the_hook_scripts() {
    let shellcheck = tool("shellcheck", "shellcheck");
    let tmp = tempfile::tempdir().unwrap();
    let mut bash_files: Vec<PathBuf> = shell_files()
        .into_iter()
        .filter(|(_, sh)| *sh == Sh::Bash)
        .map(|(p, _)| p)
        .collect();
    for (label, sh, text) in inits() {
        if sh == Sh::Bash {
            bash_files.push(temp_file(&tmp, &format!("{label}.bash"), &text));
        }
    }
    assert!(bash_files.len() >= 4, "{bash_files:?}");
    run_ok(
        "shellcheck -s bash",
        Command::new(&shellcheck)
            .args(["-s", "bash"])
            .args(&bash_files),
    );

    let mut hooks: Vec<PathBuf> = fs::read_dir(repo().join("hooks"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join("thanos-tmux"))
        .collect();
    hooks.sort();
    assert_eq!(
        hooks.len(),
        2,
        "hooks/session-start and hooks/session-end: {hooks:?}"
    );
    for hook in &hooks {
        assert!(hook.is_file(), "{} is missing", hook.display());
        let text = fs::read_to_string(hook).unwrap();
        assert!(
            text.starts_with("#!/bin/sh\n"),
            "{}: not a sh script",
            hook.display()
        );
    }
    run_ok(
        "shellcheck -s sh hooks/*/thanos-tmux",
        Command::new(&shellcheck).args(["-s", "sh"]).args(&hooks),
    );
}

#[test]
fn shellcheck_passes_the_scripts() {
    let shellcheck = tool("shellcheck", "shellcheck");
    let mut scripts: Vec<PathBuf> = fs::read_dir(repo().join("scripts"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    scripts.sort();
    for needed in ["install", "test", "test-deb"] {
        assert!(
            scripts.contains(&repo().join("scripts").join(needed)),
            "scripts/{needed} is missing: {scripts:?}"
        );
    }
    run_ok(
        "shellcheck scripts/*",
        Command::new(&shellcheck).args(&scripts),
    );
}

#[test]
fn fish_snippets_are_formatted_as_fish_indent_would() {
    let fish_indent = tool("fish_indent", "fish");
    let fish: Vec<PathBuf> = shell_files()
        .into_iter()
        .filter(|(_, sh)| *sh == Sh::Fish)
        .map(|(p, _)| p)
        .collect();
    run_ok(
        "fish_indent --check shell/*.fish (fix with: fish_indent -w shell/*.fish)",
        Command::new(fish_indent).arg("--check").args(&fish),
    );
}

// ------------------------------------------------------------ loading

/// A shell command run non-interactively with strict flags and no rc files, in a
/// sandbox whose PATH starts with the binary; `script` sees `$INIT` (the init flags).
fn strict(sb: &Sandbox, sh: Sh, script: &str) -> Output {
    let mut cmd = Command::new(sh.program());
    match sh {
        Sh::Bash => cmd.args(["--norc", "--noprofile", "-euo", "pipefail", "-c", script]),
        Sh::Zsh => cmd.args([
            "--no-globalrcs",
            "--no-rcs",
            "-e",
            "-u",
            "-o",
            "pipefail",
            "-c",
            script,
        ]),
        Sh::Fish => cmd.args(["--no-config", "-c", script]),
    };
    cmd.env_clear()
        .envs(sb.env())
        .env("PATH", path_with(sb, None))
        .current_dir(&sb.home)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn every_snippet_loads_silently_with_strict_flags_and_no_rc() {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    for sh in SHELLS {
        for flags in ["", "--no-attach"] {
            let out = strict(&sb, sh, &sh.init_line(flags));
            let what = format!("{} with strict flags", sh.init_line(flags));
            assert_eq!(exit_code(&out), 0, "{what}:\n{}", describe(&out));
            assert!(
                out.stdout.is_empty() && out.stderr.is_empty(),
                "{what} was not silent:\n{}",
                describe(&out)
            );
        }
    }
    assert!(!sb.server_running(), "loading the snippet started tmux");
}

#[test]
fn bash_sourced_twice_registers_its_exit_trap_once_and_keeps_the_users() {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    let line = Sh::Bash.init_line("");
    let script = format!(
        "trap 'echo \"it'\\''s the user trap\"' EXIT\n{line}\n{line}\n\
         __thanos_tmux_on_exit\n__thanos_tmux_on_exit\ntrap -p EXIT\n"
    );
    let out = strict(&sb, Sh::Bash, &script);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let text = stdout(&out);
    let trap = text
        .lines()
        .find(|l| l.starts_with("trap -- "))
        .unwrap_or("");
    assert_eq!(
        trap.matches("__thanos_tmux_logout").count(),
        1,
        "the logout step is in the EXIT trap once:\n{}",
        describe(&out)
    );
    assert_eq!(
        text.lines().last(),
        Some("it's the user trap"),
        "the user's EXIT trap still runs, quotes intact:\n{}",
        describe(&out)
    );
}

#[test]
fn zsh_sourced_twice_registers_its_hooks_once() {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    let line = Sh::Zsh.init_line("");
    // No compinit in `zsh -c`: the snippet waits for the first prompt to register.
    let script = format!(
        "{line}\n{line}\n__thanos_tmux_on_exit\n__thanos_tmux_on_exit\n\
         print -rl -- \"precmd ${{(j: :)precmd_functions}}\" \"zshexit ${{(j: :)zshexit_functions}}\"\n"
    );
    let mut cmd = Command::new(Sh::Zsh.program());
    let out = cmd
        .args(["--no-globalrcs", "--no-rcs", "-c", &script])
        .env_clear()
        .envs(sb.env())
        .env("PATH", path_with(&sb, None))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let text = stdout(&out);
    assert!(
        text.contains("precmd __thanos_tmux_compdef\n"),
        "precmd_functions holds the compdef registration once:\n{}",
        describe(&out)
    );
    assert!(
        text.contains("zshexit __thanos_tmux_logout\n"),
        "zshexit_functions holds the logout step once:\n{}",
        describe(&out)
    );
}

#[test]
fn fish_sourced_twice_registers_one_exit_handler() {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    let line = Sh::Fish.init_line("");
    let script = format!(
        "{line}\n{line}\n\
         functions -q __thanos_tmux_start __thanos_tmux_logout __thanos_tmux_names; and echo defined\n\
         functions --handlers-type generic\n"
    );
    let out = strict(&sb, Sh::Fish, &script);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.contains("defined\n"), "{}", describe(&out));
    let handlers: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("fish_exit ") && l.contains("thanos"))
        .collect();
    assert_eq!(
        handlers,
        ["fish_exit __thanos_tmux_logout"],
        "one fish_exit handler:\n{}",
        describe(&out)
    );
}

// ------------------------------------------------------------ init is cheap

#[test]
fn init_reads_no_config_and_calls_no_tmux() {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    let empty = sb.root.join("empty-path");
    fs::create_dir_all(&empty).unwrap();
    let bad = "auto_attach = \"maybe\"\n[[[ not toml\n";
    let config = sb.write_config(bad);
    fs::create_dir_all(sb.home.join(".config/thanos-tmux")).unwrap();
    fs::write(sb.home.join(".config/thanos-tmux/config.toml"), bad).unwrap();
    // A state folder that is not a folder: init must not even look.
    fs::write(sb.state.join("thanos-tmux"), "not a folder").unwrap();
    for sh in SHELLS {
        for flags in [&[][..], &["--no-attach"][..]] {
            let normal = init(sh, flags);
            let out = Command::new(bin())
                .arg("init")
                .arg(sh.name())
                .args(flags)
                .env_clear()
                .env("PATH", &empty)
                .env("HOME", &sb.home)
                .env("XDG_CONFIG_HOME", &sb.config)
                .env("XDG_STATE_HOME", &sb.state)
                .env("THANOS_TMUX_CONFIG", &config)
                .env("TMUX_TMPDIR", &sb.tmux_tmpdir)
                .current_dir(&sb.home)
                .stdin(Stdio::null())
                .output()
                .unwrap();
            let what = format!(
                "init {} {flags:?} with an empty PATH and a bad config",
                sh.name()
            );
            assert_eq!(exit_code(&out), 0, "{what}:\n{}", describe(&out));
            assert!(out.stderr.is_empty(), "{what}:\n{}", describe(&out));
            assert!(
                out.stdout == normal.as_bytes(),
                "{what}: the output differs"
            );
        }
    }
    assert!(!sb.server_running());
}

// ------------------------------------------------------------ completions

fn committed(sh: Sh) -> PathBuf {
    repo().join("completions").join(match sh {
        Sh::Bash => "thanos-tmux.bash",
        Sh::Zsh => "_thanos-tmux",
        Sh::Fish => "thanos-tmux.fish",
    })
}

fn completion(sh: Sh) -> String {
    let out = Command::new(bin())
        .args(["completions", sh.name()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "completions {sh:?}: {}",
        describe(&out)
    );
    stdout(&out)
}

#[test]
fn committed_completions_match_the_binary() {
    for sh in SHELLS {
        let file = committed(sh);
        let on_disk = fs::read_to_string(&file).unwrap_or_default();
        assert!(
            on_disk == completion(sh),
            "{} is out of date with `thanos-tmux completions {}`; regenerate it with:\n  \
             cargo run -q -- completions {} > {}",
            file.display(),
            sh.name(),
            sh.name(),
            file.strip_prefix(repo()).unwrap().display()
        );
    }
}

/// True when `word` occurs in `text` as a whole word (neighbours are not name chars).
fn has_word(text: &str, word: &str) -> bool {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_name) && !after.is_some_and(is_name)
    })
}

/// Visible subcommand names (with visible aliases) and long options, from clap.
fn cli_words() -> (Vec<String>, Vec<String>) {
    let mut root = cli::Cli::command();
    root.build();
    let mut subcommands = Vec::new();
    let mut longs = Vec::new();
    let mut add_longs = |cmd: &clap::Command| {
        for arg in cmd.get_arguments() {
            if arg.is_hide_set() {
                continue;
            }
            if let Some(long) = arg.get_long() {
                if long != "help" && long != "version" && !longs.contains(&long.to_string()) {
                    longs.push(long.to_string());
                }
            }
        }
    };
    add_longs(&root);
    for sub in root.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        subcommands.push(sub.get_name().to_string());
        subcommands.extend(sub.get_visible_aliases().map(str::to_string));
        add_longs(sub);
    }
    (subcommands, longs)
}

#[test]
fn every_subcommand_and_long_option_is_completed_in_every_shell() {
    let (subcommands, longs) = cli_words();
    assert!(
        subcommands.contains(&"restore".to_string()),
        "{subcommands:?}"
    );
    assert!(!subcommands.contains(&"hook".to_string()), "hook is hidden");
    assert!(longs.contains(&"socket-name".to_string()), "{longs:?}");
    let mut missing = Vec::new();
    for sh in SHELLS {
        let text = completion(sh);
        for sub in &subcommands {
            if !has_word(&text, sub) {
                missing.push(format!("{}: subcommand {sub}", sh.name()));
            }
        }
        for long in &longs {
            let dashed = format!("--{long}");
            // fish spells long options `-l NAME`.
            let found = has_word(&text, &dashed)
                || (sh == Sh::Fish && has_word(&text, &format!("-l {long}")));
            if !found {
                missing.push(format!("{}: option --{long}", sh.name()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "the completion scripts miss what the CLI offers (hide it in src/cli.rs or \
         complete it in shell/completion.*, then regenerate completions/):\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn every_help_ends_with_examples() {
    use clap::CommandFactory;
    let sb = Sandbox::new();
    let root = cli::Cli::command();
    let mut pages: Vec<Vec<String>> = vec![vec!["--help".into()]];
    for sub in root.get_subcommands().filter(|c| !c.is_hide_set()) {
        pages.push(vec![sub.get_name().to_string(), "--help".into()]);
    }
    for args in pages {
        let help = sb.ok(&args);
        let examples = help
            .rsplit_once("\nExamples:\n")
            .map(|(_, tail)| tail)
            .unwrap_or_else(|| panic!("{args:?} has no examples at its end:\n{help}"));
        let lines: Vec<&str> = examples.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(
            !lines.is_empty()
                && lines
                    .iter()
                    .all(|l| l.starts_with("  ") && l.contains("thanos-tmux")),
            "{args:?}: examples must be indented command lines:\n{examples}"
        );
    }
}

/// The man page in the repository is what the command-line definition renders; with
/// `THANOS_TMUX_WRITE_MAN=1` the test writes it anew instead.
#[test]
fn the_man_page_matches_the_command_line() {
    use clap::CommandFactory;
    let mut rendered = Vec::new();
    clap_mangen::Man::new(cli::Cli::command())
        .render(&mut rendered)
        .unwrap();
    let rendered = String::from_utf8(rendered).unwrap();
    let path = repo().join("man/thanos-tmux.1");
    if std::env::var_os("THANOS_TMUX_WRITE_MAN").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &rendered).unwrap();
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "man/thanos-tmux.1 differs from the command line; run THANOS_TMUX_WRITE_MAN=1 cargo test --test it lint::the_man_page"
    );
    for word in ["attach", "last", "doctor", "socket", "Examples:"] {
        assert!(rendered.contains(word), "the page lacks {word}");
    }
}
