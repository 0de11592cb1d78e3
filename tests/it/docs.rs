//! What the README and `scripts/install` tell a new user, run as the user would run it:
//! the install step ends with the binary on PATH in a new login shell or says which line
//! to add to which file, and the commands the README shows work on a fresh account.

use crate::shell_support::*;
use crate::support::*;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `~/x` under the sandbox HOME.
fn expand(sb: &Sandbox, path: &str) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => sb.home.join(rest),
        None => PathBuf::from(path),
    }
}

// ------------------------------------------------------------ scripts/install

/// `scripts/install --check-path` (the steps after `cargo install`) for a user whose
/// login shell is `sh`, with the binary installed in `cargo_home/bin`. First on PATH is
/// a `cargo` that leaves `cargo_ran` and fails: the check must build nothing. PATH
/// holds no other thanos-tmux.
fn check_path(sb: &Sandbox, sh: Sh, cargo_home: &Path, cargo_ran: &Path) -> Output {
    let fake = sb.root.join("fake-cargo");
    write_script(
        &fake.join("cargo"),
        &format!(
            "#!/bin/sh\n: > {}\nexit 1\n",
            sh_quote(&cargo_ran.to_string_lossy())
        ),
    );
    let given = format!("{}:{}", fake.display(), real_path());
    Command::new(repo().join("scripts/install"))
        .arg("--check-path")
        .env_clear()
        .env("HOME", &sb.home)
        .env("SHELL", sh.program())
        .env("CARGO_HOME", cargo_home)
        .env("PATH", path_without_thanos_tmux(sb, &given))
        .env("TERM", "xterm-256color")
        .env("LANG", "C.UTF-8")
        .current_dir(&sb.home)
        .stdin(Stdio::null())
        .output()
        .expect("run scripts/install --check-path")
}

/// What `command -v thanos-tmux` finds in a new login shell `sh` of the sandbox user.
fn login_shell_finds(sb: &Sandbox, sh: Sh) -> String {
    let out = Command::new(sh.program())
        .args(["-lc", "command -v thanos-tmux"])
        .env_clear()
        .env("HOME", &sb.home)
        .env("PATH", path_without_thanos_tmux(sb, &real_path()))
        .env("TERM", "xterm-256color")
        .current_dir(&sb.home)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    stdout(&out).lines().last().unwrap_or("").to_string()
}

/// The file and the line `scripts/install` says to add, if it says so.
fn advice(err: &str) -> Option<(String, String)> {
    let mut lines = err.lines();
    let file = lines
        .by_ref()
        .find_map(|l| l.strip_prefix("install: add this line to "))?
        .strip_suffix(", then start a new login shell:")
        .expect("the advice names the file, then says to start a new login shell")
        .to_string();
    let line = lines.next()?.strip_prefix("  ")?.to_string();
    Some((file, line))
}

/// The rc lines `scripts/install` shows at the end: (shell, file, line).
fn rc_lines(err: &str) -> Vec<(String, String, String)> {
    err.lines()
        .skip_while(|l| !l.starts_with("Now add one line"))
        .skip(1)
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let (shell, file) = (words.next()?, words.next()?);
            let line = l.trim_start()[shell.len()..].trim_start()[file.len()..].trim();
            Some((shell.to_string(), file.to_string(), line.to_string()))
        })
        .collect()
}

#[test]
fn install_says_which_line_puts_the_binary_on_path_in_a_new_login_shell() {
    for sh in SHELLS {
        let sb = Sandbox::new();
        // cargo install into a CARGO_HOME of this HOME, that no login shell has on PATH.
        let cargo_home = sb.home.join("cargo home");
        let installed = cargo_home.join("bin/thanos-tmux");
        fs::create_dir_all(installed.parent().unwrap()).unwrap();
        symlink(bin(), &installed).unwrap();
        let cargo_ran = sb.root.join("cargo-ran");
        let older = sb.home.join("old/bin/thanos-tmux");
        if sh == Sh::Bash {
            // An older one the login shell finds first, as after an earlier install.
            write_script(&older, "#!/bin/sh\n");
            fs::write(
                sb.home.join(".profile"),
                "export PATH=\"$HOME/old/bin:$PATH\"\n",
            )
            .unwrap();
        }
        let what = format!("scripts/install --check-path, login shell {sh:?}");
        let out = check_path(&sb, sh, &cargo_home, &cargo_ran);
        assert_eq!(exit_code(&out), 0, "{what}:\n{}", describe(&out));
        assert!(!cargo_ran.exists(), "{what} ran cargo");
        let err = stderr(&out);
        let (file, line) = advice(&err).unwrap_or_else(|| panic!("{what}: no line to add:\n{err}"));
        let want_file = match sh {
            Sh::Bash => "~/.profile",
            Sh::Zsh => "~/.zshenv",
            Sh::Fish => "~/.config/fish/config.fish",
        };
        assert_eq!(file, want_file, "{what}:\n{err}");
        let said = if sh == Sh::Bash {
            "install: a new login shell finds ~/old/bin/thanos-tmux first, not ~/cargo home/bin/thanos-tmux."
        } else {
            "install: a new login shell does not find ~/cargo home/bin/thanos-tmux."
        };
        assert!(
            err.lines().any(|l| l == said),
            "{what}: want {said:?}:\n{err}"
        );

        // The rc lines it shows are the README's.
        let shown = rc_lines(&err);
        let readme: Vec<(String, String, String)> = SHELLS
            .iter()
            .map(|s| {
                let (file, line) = s.readme_setup();
                (s.name().to_string(), file, line)
            })
            .collect();
        let sorted = |mut v: Vec<(String, String, String)>| {
            v.sort();
            v
        };
        assert_eq!(sorted(shown), sorted(readme), "{what}:\n{err}");

        // Doing what it says puts the installed binary first in a new login shell.
        let path = expand(&sb, &file);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut text = fs::read_to_string(&path).unwrap_or_default();
        text.push_str(&format!("{line}\n"));
        fs::write(&path, text).unwrap();
        let found = login_shell_finds(&sb, sh);
        assert!(
            Path::new(&found) == installed,
            "{what}: after adding {line:?} to {file}, a new login shell finds {found:?}"
        );
        let out = check_path(&sb, sh, &cargo_home, &cargo_ran);
        assert_eq!(exit_code(&out), 0, "{what}, again:\n{}", describe(&out));
        assert_eq!(
            advice(&stderr(&out)),
            None,
            "{what}, once the line is in {file}:\n{}",
            describe(&out)
        );
    }
}

// ------------------------------------------------------------ the README's commands

/// The README's text of one section: from the heading line `heading` to the next
/// heading of the same or a higher level.
fn readme_section(heading: &str) -> String {
    let readme = fs::read_to_string(repo().join("README.md")).expect("read README.md");
    let level = heading.len() - heading.trim_start_matches('#').len();
    let mut lines = readme.lines().skip_while(|l| *l != heading);
    assert!(
        lines.next().is_some(),
        "README.md has no heading {heading:?}"
    );
    let mut text = String::new();
    let mut in_code = false;
    for line in lines {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        let depth = line.len() - line.trim_start_matches('#').len();
        if !in_code && depth > 0 && depth <= level && line[depth..].starts_with(' ') {
            break;
        }
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// The code blocks of a README section whose info string is `info`.
fn code_blocks(section: &str, info: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    // None: outside a block; Some(None): in a block of another kind.
    let mut current: Option<Option<String>> = None;
    for line in section.lines() {
        match (current.take(), line.strip_prefix("```")) {
            (None, Some(tag)) => current = Some((tag.trim() == info).then(String::new)),
            (Some(block), Some(_)) => blocks.extend(block),
            (Some(Some(mut text)), None) => {
                text.push_str(line);
                text.push('\n');
                current = Some(Some(text));
            }
            (other, None) => current = other,
        }
    }
    blocks
}

/// The one code block of a README section whose info string is `info`.
fn code_block(heading: &str, info: &str) -> String {
    let blocks = code_blocks(&readme_section(heading), info);
    assert_eq!(
        blocks.len(),
        1,
        "README's {heading:?} should show one ```{info} block: {blocks:?}"
    );
    blocks.into_iter().next().unwrap()
}

/// The sandbox environment of a fresh account: HOME, PATH with the binary under test,
/// and no XDG_* variables (each tool's default folders).
fn fresh_account(cmd: &mut Command, sb: &Sandbox) {
    cmd.env_clear()
        .env("HOME", &sb.home)
        .env("PATH", path_with(sb, None))
        .env("TMUX_TMPDIR", &sb.tmux_tmpdir)
        .env("TERM", "xterm-256color")
        .env("LANG", "C.UTF-8")
        .current_dir(&sb.home)
        .stdin(Stdio::null());
}

/// Runs `script` in `sh` without rc files, in a fresh account; it must succeed
/// silently. Returns its stdout.
fn run_in_shell(sb: &Sandbox, sh: Sh, script: &str, what: &str) -> String {
    let mut cmd = Command::new(sh.program());
    match sh {
        Sh::Bash => cmd.args(["--norc", "--noprofile", "-e", "-c", script]),
        Sh::Zsh => cmd.args(["--no-globalrcs", "--no-rcs", "-e", "-c", script]),
        // fish's own completion path comes from its system config: no --no-config.
        Sh::Fish => cmd.args(["-c", script]),
    };
    fresh_account(&mut cmd, sb);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{what}:\n{script}\n{}",
        describe(&out)
    );
    stdout(&out)
}

#[test]
fn the_readmes_completion_commands_work_on_a_fresh_account() {
    const HEADING: &str = "### Completions";
    let section = readme_section(HEADING);
    for sh in SHELLS {
        let sb = Sandbox::new();
        let commands = code_block(HEADING, sh.name());
        let what = format!("README's {} completion commands", sh.name());
        run_in_shell(&sb, sh, &commands, &what);
        match sh {
            Sh::Bash => {
                // bash-completion's folder for a user's own completions, where it
                // looks for a file named after the command: with neither
                // BASH_COMPLETION_USER_DIR nor XDG_DATA_HOME set,
                // ~/.local/share/bash-completion/completions.
                let file = sb
                    .home
                    .join(".local/share/bash-completion/completions/thanos-tmux");
                assert!(file.is_file(), "{what}: {} is missing", file.display());
                let script = format!(
                    "source {}\ncomplete -p thanos-tmux",
                    sh_quote(&file.to_string_lossy())
                );
                let out = run_in_shell(&sb, sh, &script, &what);
                assert!(out.contains("thanos-tmux"), "{what}: {out}");
            }
            Sh::Zsh => {
                // The fpath line the README gives for ~/.zshrc, and the folder it adds.
                let fpath = section
                    .split('`')
                    .find(|code| code.starts_with("fpath=("))
                    .unwrap_or_else(|| panic!("{what}: no `fpath=(…)` line in the section"));
                let folder = fpath
                    .trim_start_matches("fpath=(")
                    .split_whitespace()
                    .next()
                    .unwrap();
                let file = expand(&sb, folder).join("_thanos-tmux");
                assert!(file.is_file(), "{what}: {} is missing", file.display());
                // In that order before compinit, zsh's completion system has it.
                let script = format!(
                    "{fpath}\nautoload -Uz compinit\ncompinit -u -D\nprint -r -- ${{_comps[thanos-tmux]}}"
                );
                let out = run_in_shell(&sb, sh, &script, &what);
                assert_eq!(
                    out, "_thanos-tmux\n",
                    "{what}: after {fpath:?} and compinit"
                );
            }
            Sh::Fish => {
                // fish loads completions from ~/.config/fish/completions on demand.
                let out = run_in_shell(&sb, sh, "complete -C 'thanos-tmux stat'", &what);
                assert!(
                    out.lines().any(|l| l.starts_with("status\t")),
                    "{what}: fish does not complete `thanos-tmux stat`:\n{out}"
                );
            }
        }
    }
}

#[test]
fn the_readmes_tmux_conf_line_sources_the_file_the_readme_writes() {
    const HEADING: &str = "## The bundled tmux.conf";
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let overwrite = readme
        .lines()
        .find(|l| l.contains("> ~/.tmux.conf") || l.contains(">~/.tmux.conf"));
    assert_eq!(
        overwrite, None,
        "the README must never overwrite ~/.tmux.conf"
    );

    let write = code_block(HEADING, "sh");
    let line = code_block(HEADING, "tmux");
    let written = write
        .lines()
        .find_map(|l| l.split_once("thanos-tmux config tmux-conf > "))
        .map(|(_, file)| file.trim().to_string())
        .unwrap_or_else(|| panic!("no `thanos-tmux config tmux-conf > FILE` in:\n{write}"));
    let sourced = line
        .trim()
        .strip_prefix("source-file ")
        .unwrap_or_else(|| panic!("not one source-file line:\n{line}"))
        .to_string();
    assert_eq!(
        sourced, written,
        "the line sources another file than the one written"
    );

    // On a fresh account with a tmux.conf of its own: the commands leave it alone, write
    // the bundled config, and the tmux.conf with the line added loads it.
    let sb = Sandbox::new();
    let mine = sb.home.join(".tmux.conf");
    let before = fs::read_to_string(&mine).unwrap();
    run_in_shell(&sb, Sh::Bash, &write, "README's tmux.conf commands");
    assert_eq!(fs::read_to_string(&mine).unwrap(), before);
    assert_eq!(
        fs::read_to_string(expand(&sb, &written)).ok(),
        Some(sb.ok(&["config", "tmux-conf"])),
        "{written} does not hold the bundled tmux.conf"
    );
    fs::write(&mine, format!("{before}{line}")).unwrap();
    sb.start_server("conf");
    let out = sb.tmux(&["source-file", &mine.to_string_lossy()]);
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        describe(&out)
    );
    assert_eq!(sb.tmux_ok(&["show-options", "-gv", "prefix"]).trim(), "C-a");
}

/// The header lines (as words) of the tables in `text` whose first column is `first`.
fn headers(text: &str, first: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| l.split_whitespace().next() == Some(first))
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

#[test]
fn the_readmes_status_example_has_the_columns_status_prints() {
    let sb = Sandbox::new();
    sb.write_config("[[daemons]]\nname = \"bot\"\ncommand = \"sleep 300\"\n");
    sb.ok(&["attach", "-d", "main"]);
    sb.ok(&["daemons", "start"]);
    let printed = sb.ok(&["status"]);
    let shown = readme_section("### status");
    for first in ["NAME", "DAEMON"] {
        let want = headers(&printed, first);
        assert_eq!(want.len(), 1, "status prints one {first} table:\n{printed}");
        let readme = headers(&shown, first);
        assert!(
            !readme.is_empty(),
            "the README's status example has no {first} table"
        );
        for header in readme {
            assert_eq!(
                header, want[0],
                "the README's status example shows other columns than status prints:\n{printed}"
            );
        }
    }
}

/// True when `option` (`--all`, `-y`) occurs in `text` as a whole option.
fn has_option(text: &str, option: &str) -> bool {
    let part = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    text.match_indices(option).any(|(at, _)| {
        !text[..at].chars().next_back().is_some_and(part)
            && !text[at + option.len()..].chars().next().is_some_and(part)
    })
}

#[test]
fn the_readmes_usage_shows_every_subcommand_and_option() {
    use clap::CommandFactory;
    let section = readme_section("## Usage");
    // The usage block and the paragraph on global options, before the first subsection.
    let usage: String = section
        .lines()
        .take_while(|l| !l.starts_with("### "))
        .collect::<Vec<_>>()
        .join("\n");
    let mut root = crate::lint::cli::Cli::command();
    root.build();
    let mut missing = Vec::new();
    let check = |cmd: &clap::Command, at: &str, missing: &mut Vec<String>| {
        for arg in cmd.get_arguments() {
            if arg.is_hide_set() || arg.is_positional() {
                continue;
            }
            let long = arg.get_long().map(|l| format!("--{l}"));
            if matches!(long.as_deref(), Some("--help" | "--version")) {
                continue;
            }
            let short = arg.get_short().map(|s| format!("-{s}"));
            let shown = long.iter().chain(&short).any(|o| has_option(&usage, o));
            if !shown {
                missing.push(format!("{at}{}", long.or(short).unwrap_or_default()));
            }
        }
    };
    check(&root, "", &mut missing);
    for sub in root.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        if !usage.contains(&format!("thanos-tmux {}", sub.get_name())) {
            missing.push(sub.get_name().to_string());
        }
        check(sub, &format!("{} ", sub.get_name()), &mut missing);
    }
    assert!(
        missing.is_empty(),
        "the README's usage does not show: {missing:?}"
    );
}

/// The files a user reads or runs: the README, the docs and bench results it links,
/// the config, snippet, hook, completion and install files.
fn user_facing_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, files);
            } else {
                files.push(path);
            }
        }
    }
    let mut files = vec![repo().join("README.md"), repo().join("scripts/install")];
    for dir in ["docs", "config", "shell", "hooks", "completions"] {
        walk(&repo().join(dir), &mut files);
    }
    files.extend(
        fs::read_dir(repo().join("bench"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "md")),
    );
    files.sort();
    files
}

/// Why `line` points at a document or ticket outside the repository, if it does: a
/// section sign, the name of a working contract kept elsewhere, a numbered issue or
/// ticket (`#12`, `12`).
/// The words are put together at run time, so that this file, which is read too, does
/// not hold them.
fn outside_reference(line: &str) -> Option<&'static str> {
    if line.contains('\u{a7}') {
        return Some("a section sign");
    }
    let contract = ["SP", "EC"].concat();
    let part = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let names_contract = line.match_indices(&contract).any(|(at, _)| {
        !line[..at].chars().next_back().is_some_and(part)
            && !line[at + contract.len()..].chars().next().is_some_and(part)
    });
    if names_contract {
        return Some("a document kept outside the repository");
    }
    let lower = line.to_lowercase();
    for (word, why) in [
        (["iss", "ue"].concat(), "an issue"),
        (["tic", "ket"].concat(), "a ticket"),
    ] {
        let numbered = lower.match_indices(&word).any(|(at, _)| {
            let rest = lower[at + word.len()..].trim_start_matches([' ', 's']);
            rest.starts_with('#') || rest.starts_with(|c: char| c.is_ascii_digit())
        });
        if numbered {
            return Some(why);
        }
    }
    None
}

#[test]
fn what_users_read_points_at_no_document_outside_the_repository() {
    let mut found = Vec::new();
    let mut look = |what: String, text: &str| {
        for (n, line) in text.lines().enumerate() {
            if let Some(why) = outside_reference(line) {
                found.push(format!("{what}:{}: {why}: {line}", n + 1));
            }
        }
    };
    for file in user_facing_files() {
        let text = fs::read_to_string(&file).unwrap_or_default();
        look(
            file.strip_prefix(repo()).unwrap().display().to_string(),
            &text,
        );
    }
    // What the binary prints into a user's shell.
    for sh in SHELLS {
        let out = Command::new(bin())
            .args(["init", sh.name()])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        look(format!("thanos-tmux init {}", sh.name()), &stdout(&out));
    }
    assert!(
        found.is_empty(),
        "references to documents outside the repository:\n{}",
        found.join("\n")
    );
}

/// Every text file of the repository a contributor reads: sources, tests, scripts, the
/// benchmark, docs, shell files, hooks, config, completions and the man page.
fn repository_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, files);
            } else {
                files.push(path);
            }
        }
    }
    let mut files: Vec<PathBuf> = ["README.md", "Cargo.toml", "clippy.toml", "LICENSE"]
        .iter()
        .map(|f| repo().join(f))
        .collect();
    for dir in [
        "src",
        "tests",
        "scripts",
        "bench",
        "benches",
        "docs",
        "shell",
        "hooks",
        "config",
        "completions",
        "man",
    ] {
        walk(&repo().join(dir), &mut files);
    }
    files.sort();
    files
}

#[test]
fn no_file_of_the_repository_points_at_a_document_or_ticket_outside_it() {
    let mut found = Vec::new();
    for file in repository_files() {
        // Binary files are no reading matter.
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        let shown = file.strip_prefix(repo()).unwrap().display().to_string();
        for (n, line) in text.lines().enumerate() {
            if let Some(why) = outside_reference(line) {
                found.push(format!("{shown}:{}: {why}: {line}", n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the repository must stand alone; these point outside it:\n{}",
        found.join("\n")
    );
}

/// The anchors GitHub gives the headings of a Markdown text: lower case, punctuation
/// dropped, spaces as `-`, a repeated heading numbered `-1`, `-2`, ….
fn anchors(text: &str) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        let depth = line.len() - line.trim_start_matches('#').len();
        if in_code || depth == 0 || !line[depth..].starts_with(' ') {
            continue;
        }
        let slug: String = line[depth..]
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let repeats = seen.iter().filter(|s| **s == slug).count();
        out.push(if repeats == 0 {
            slug.clone()
        } else {
            format!("{slug}-{repeats}")
        });
        seen.push(slug);
    }
    out
}

/// The targets of the Markdown links `[text](target)` in `text`, outside code.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        // Text between backticks is code, not a link.
        let prose: String = line
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 0)
            .map(|(_, part)| part)
            .collect::<Vec<_>>()
            .join(" ");
        for (at, _) in prose.match_indices("](") {
            if let Some(end) = prose[at + 2..].find(')') {
                targets.push(prose[at + 2..at + 2 + end].to_string());
            }
        }
    }
    targets
}

#[test]
fn the_docs_links_lead_to_files_and_headings_inside_the_repository() {
    let root = repo().canonicalize().unwrap();
    let mut docs: Vec<PathBuf> = user_facing_files()
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    assert!(
        docs.iter().any(|p| p.ends_with("docs/behaviour.md")),
        "docs/behaviour.md is missing"
    );
    let mut wrong = Vec::new();
    for doc in &docs {
        let text = fs::read_to_string(doc).unwrap();
        let shown = doc.strip_prefix(repo()).unwrap().display().to_string();
        for target in link_targets(&text) {
            if target.starts_with("https://") || target.starts_with("http://") {
                continue;
            }
            let (file, anchor) = match target.split_once('#') {
                Some((file, anchor)) => (file, Some(anchor)),
                None => (target.as_str(), None),
            };
            let path = if file.is_empty() {
                doc.clone()
            } else {
                doc.parent().unwrap().join(file)
            };
            let Ok(real) = path.canonicalize() else {
                wrong.push(format!("{shown}: ({target}): no such file"));
                continue;
            };
            if !real.starts_with(&root) {
                wrong.push(format!("{shown}: ({target}): outside the repository"));
                continue;
            }
            if let Some(anchor) = anchor {
                let there = fs::read_to_string(&real).unwrap_or_default();
                if !anchors(&there).iter().any(|a| a == anchor) {
                    wrong.push(format!("{shown}: ({target}): no such heading"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "links in the docs:\n{}", wrong.join("\n"));
}

#[test]
fn the_readmes_uninstall_section_names_every_file_the_tool_writes() {
    let section = readme_section("## Uninstall");
    let named: Vec<String> = section
        .split('`')
        .filter(|code| code.starts_with("~/") && !code.contains(' '))
        .map(str::to_string)
        .collect();
    for needed in [
        "~/.local/state/thanos-tmux",
        "~/.config/thanos-tmux",
        "~/.cargo/bin/thanos-tmux",
    ] {
        assert!(named.iter().any(|n| n == needed), "{needed} in {named:?}");
    }
    assert!(
        section.contains("cargo uninstall thanos-tmux"),
        "how to remove the binary"
    );
    for sh in SHELLS {
        let (file, _) = sh.readme_setup();
        assert!(section.contains(&format!("`{file}`")), "the rc file {file}");
    }

    // A fresh account (no XDG variables) uses thanos-tmux for a while; every file it
    // writes is under a path the section names.
    let sb = Sandbox::new();
    let config = sb.home.join(".config/thanos-tmux/config.toml");
    fs::create_dir_all(config.parent().unwrap()).unwrap();
    fs::write(
        &config,
        "[[daemons]]\nname = \"bot\"\ncommand = \"sleep 300\"\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = sb
            .cmd(args)
            .env_remove("XDG_STATE_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .output()
            .unwrap();
        assert_eq!(exit_code(&out), 0, "{args:?}:\n{}", describe(&out));
    };
    run(&["attach", "-d", "main"]);
    run(&["attach", "-d", "scratch"]);
    run(&["daemons", "start"]);
    run(&["save"]);
    run(&["status"]);
    run(&["kill", "--yes", "scratch"]);
    run(&["cleanup"]);
    sb.kill_server();
    run(&["restore", "--all"]);
    run(&["hook", "session-end"]);
    sb.hooks_quiet();
    let mut written = Vec::new();
    let mut stack = vec![sb.home.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else if path != config && path != sb.home.join(".tmux.conf") {
                written.push(path);
            }
        }
    }
    assert!(
        written.iter().any(|p| p.ends_with("sessions.json")),
        "{written:?}"
    );
    let unnamed: Vec<&PathBuf> = written
        .iter()
        .filter(|p| !named.iter().any(|n| p.starts_with(expand(&sb, n))))
        .collect();
    assert!(
        unnamed.is_empty(),
        "files the Uninstall section does not name: {unnamed:?}"
    );
    assert!(
        fs::read_dir(&sb.state).unwrap().next().is_none()
            && fs::read_dir(&sb.config).unwrap().next().is_none(),
        "with no XDG variables, nothing goes to the sandbox's XDG folders"
    );
}

#[test]
fn the_readmes_commands_hold_no_placeholder_and_name_scripts_that_exist() {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let mut wrong = Vec::new();
    for info in ["sh", "bash", "zsh", "fish"] {
        for block in code_blocks(&readme, info) {
            for line in block.lines() {
                // `<this repository>`, `<path>`: text a user would have to replace.
                let placeholder = line.split('<').skip(1).any(|rest| {
                    rest.split_once('>').is_some_and(|(inside, _)| {
                        !inside.is_empty()
                            && inside
                                .chars()
                                .all(|c| c.is_alphanumeric() || " -_".contains(c))
                    })
                });
                if placeholder {
                    wrong.push(format!("placeholder: {line}"));
                }
                for script in line.split_whitespace().filter(|w| w.starts_with("./")) {
                    if fs::metadata(repo().join(script)).map_or(true, |m| !m.is_file()) {
                        wrong.push(format!("no such script: {line}"));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "README commands:\n{}", wrong.join("\n"));
}

#[test]
fn license_holds_the_mit_licence_that_cargo_toml_names() {
    let cargo = fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let license = cargo
        .lines()
        .find_map(|l| l.strip_prefix("license = "))
        .map(|v| v.trim().trim_matches('"'));
    assert_eq!(license, Some("MIT"), "Cargo.toml's license");
    let text = fs::read_to_string(repo().join("LICENSE")).unwrap_or_default();
    assert!(
        text.starts_with("MIT License\n"),
        "LICENSE should hold the MIT licence Cargo.toml names:\n{text}"
    );
    for needed in [
        "Copyright (c) ",
        "Permission is hereby granted, free of charge",
        "THE SOFTWARE IS PROVIDED \"AS IS\"",
    ] {
        assert!(text.contains(needed), "LICENSE lacks {needed:?}");
    }
}
