//! Shell integration on a real terminal: bash, zsh and fish started with
//! the one documented rc line and a sandbox prompt, typed into as a person would. A new
//! terminal attaches, a guard keeps it plain, Tab knows live names, exit runs the logout
//! step, and a missing, hung or failing tmux leaves a working prompt.

use crate::shell_support::*;
use crate::support::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One test per shell: `per_shell!(name)` after `fn name(sh: Sh)` makes the tests
/// `name::bash`, `name::zsh` and `name::fish`, so that a failure names its shell.
macro_rules! per_shell {
    ($name:ident) => {
        mod $name {
            #[test]
            fn bash() {
                super::$name(super::Sh::Bash);
            }

            #[test]
            fn zsh() {
                super::$name(super::Sh::Zsh);
            }

            #[test]
            fn fish() {
                super::$name(super::Sh::Fish);
            }
        }
    };
}

fn detach(sb: &Sandbox, session: &str) {
    sb.tmux_ok(&["detach-client", "-s", &format!("={session}")]);
}

/// Nothing reached the sandbox's tmux: no server, so no session and no client.
fn assert_no_tmux(sb: &Sandbox, what: &str) {
    assert!(
        !sb.server_running(),
        "{what}: a tmux server was started: sessions {:?}, clients {:?}",
        sb.sessions(),
        sb.clients()
    );
}

/// Waits for the prompt and asserts the shell printed nothing else.
fn wait_silent_prompt(term: &Terminal, prompt: &str, what: &str) {
    let screen = wait_prompt(term, prompt);
    assert!(
        noise(&screen, prompt).is_empty(),
        "{what}: the shell start was not silent:\n{screen}"
    );
}

// ------------------------------------------------------------ a new terminal attaches

fn attaches_in_home_and_in_a_repo(sh: Sh) {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    let prompt = sh.prompt("");
    let term = Shell::new(&sb, sh).spawn();
    wait_attached(&sb, &term, "thanos-main");
    assert_eq!(sb.sessions(), ["thanos-main"]);
    assert_eq!(
        sb.session_format("thanos-main", "session_attached")
            .as_deref(),
        Some("1")
    );
    detach(&sb, "thanos-main");
    wait_prompt(&term, &prompt);
    assert!(sb.clients().is_empty(), "{:?}", sb.clients());
    assert_loaded_and_working(&term, sh, "home", &prompt);

    // Deep inside a repository: the session is the repository's, started at its root.
    let repo = sb.git_repo("src/api");
    let deep = sb.mkdir("src/api/lib/x");
    let term2 = Shell::new(&sb, sh).dir(&deep).spawn();
    wait_attached(&sb, &term2, "api");
    assert_eq!(sb.sessions_sorted(), ["api", "thanos-main"]);
    assert_eq!(sb.session_path("api").as_deref(), repo.to_str());
    // Detaching by the keyboard, as a person does (the sandbox server keeps C-b).
    term2.keys(&["C-b", "d"]);
    wait_prompt(&term2, &prompt);
    assert!(sb.clients().is_empty(), "{:?}", sb.clients());
    assert_working(&term2, sh, "repo", &prompt);
}

per_shell!(attaches_in_home_and_in_a_repo);

// ------------------------------------------------------------ guards

#[derive(Clone, Copy, Debug)]
enum Guard {
    /// An environment variable of the terminal.
    Env(&'static str, &'static str),
    /// `init SHELL --no-attach` in the rc.
    NoAttach,
    /// A config line.
    Config(&'static str),
    /// An ssh login with `ssh_auto_attach = false`.
    Ssh,
}

fn guard_keeps_the_shell_plain(sh: Sh, guard: Guard) {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    let prompt = sh.prompt("");
    let mut shell = Shell::new(&sb, sh);
    match guard {
        Guard::Env(key, value) => shell = shell.env(key, value),
        Guard::NoAttach => shell = shell.flags("--no-attach"),
        Guard::Config(line) => {
            sb.write_config(&format!("{line}\n"));
        }
        Guard::Ssh => {
            sb.write_config("ssh_auto_attach = false\n");
            shell = shell.env("SSH_CONNECTION", "1.2.3.4 1 5.6.7.8 22");
        }
    }
    let term = shell.spawn();
    let what = format!("{sh:?} with {guard:?}");
    wait_silent_prompt(&term, &prompt, &what);
    assert_loaded_and_working(&term, sh, "guard", &prompt);
    assert_no_tmux(&sb, &what);
}

#[test]
fn thanos_tmux_auto_0_keeps_bash_and_fish_plain() {
    for sh in [Sh::Bash, Sh::Fish] {
        guard_keeps_the_shell_plain(sh, Guard::Env("THANOS_TMUX_AUTO", "0"));
    }
}

#[test]
fn no_attach_in_the_rc_keeps_zsh_and_fish_plain() {
    for sh in [Sh::Zsh, Sh::Fish] {
        guard_keeps_the_shell_plain(sh, Guard::NoAttach);
    }
}

#[test]
fn auto_attach_false_in_the_config_keeps_bash_and_zsh_plain() {
    for sh in [Sh::Bash, Sh::Zsh] {
        guard_keeps_the_shell_plain(sh, Guard::Config("auto_attach = false"));
    }
}

#[test]
fn a_vscode_terminal_stays_plain_in_bash_and_fish() {
    for sh in [Sh::Bash, Sh::Fish] {
        guard_keeps_the_shell_plain(sh, Guard::Env("TERM_PROGRAM", "vscode"));
    }
}

#[test]
fn an_emacs_terminal_stays_plain_in_zsh() {
    guard_keeps_the_shell_plain(Sh::Zsh, Guard::Env("INSIDE_EMACS", "t"));
}

#[test]
fn lc_thanos_tmux_0_keeps_fish_and_bash_plain() {
    for sh in [Sh::Fish, Sh::Bash] {
        guard_keeps_the_shell_plain(sh, Guard::Env("LC_THANOS_TMUX", "0"));
    }
}

#[test]
fn inside_tmux_no_shell_nests() {
    for sh in SHELLS {
        guard_keeps_the_shell_plain(sh, Guard::Env("TMUX", "/tmp/tt-elsewhere/default,1,0"));
    }
}

#[test]
fn a_dumb_terminal_stays_plain_in_zsh() {
    guard_keeps_the_shell_plain(Sh::Zsh, Guard::Env("TERM", "dumb"));
}

#[test]
fn ssh_with_ssh_auto_attach_false_stays_plain_in_bash_and_fish() {
    for sh in [Sh::Bash, Sh::Fish] {
        guard_keeps_the_shell_plain(sh, Guard::Ssh);
    }
}

fn the_rc_line_twice_attaches_and_registers_once(sh: Sh) {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    let prompt = sh.prompt("");
    let term = Shell::new(&sb, sh).after(&sh.init_line("")).spawn();
    wait_attached(&sb, &term, "thanos-main");
    detach(&sb, "thanos-main");
    wait_prompt(&term, &prompt);
    assert!(sb.clients().is_empty(), "{:?}", sb.clients());
    assert_eq!(sb.sessions(), ["thanos-main"]);
    clear(&term, &prompt);
    // What each shell will run at exit, printed so that the typed line does not hold
    // the function's name.
    term.type_line(match sh {
        Sh::Bash => "trap -p EXIT",
        Sh::Zsh => "print -rl -- $zshexit_functions",
        Sh::Fish => "functions --handlers-type generic | string match '*fish_exit*'",
    });
    // Run: the command line, what it printed, and a fresh prompt below.
    let screen = term.wait_screen(|s| lines(s).len() >= 2 && last_line(s) == prompt, T);
    assert_eq!(
        screen.matches("__thanos_tmux_logout").count(),
        1,
        "{sh:?}: the logout step is registered once:\n{screen}"
    );
}

per_shell!(the_rc_line_twice_attaches_and_registers_once);

// ------------------------------------------------------------ subshells

fn a_subshell_does_not_attach_again(sh: Sh) {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    let prompt = sh.prompt("");
    let term = Shell::new(&sb, sh).spawn();
    wait_attached(&sb, &term, "thanos-main");
    detach(&sb, "thanos-main");
    wait_prompt(&term, &prompt);

    term.type_line(&sh.subshell(&sb, "sub"));
    let sub = sh.prompt("sub");
    wait_prompt(&term, &sub);
    assert!(
        sb.clients().is_empty(),
        "a subshell attached: {:?}",
        sb.clients()
    );
    assert_eq!(sb.sessions(), ["thanos-main"], "a subshell made a session");
    term.type_line("echo auto-$THANOS_TMUX_AUTOSTARTED");
    term.wait_screen(|s| s.lines().any(|l| l.trim_end() == "auto-1"), T);
    assert_loaded_and_working(&term, sh, "sub", &sub);
}

per_shell!(a_subshell_does_not_attach_again);

// ------------------------------------------------------------ completion

/// Types `text`, presses Tab (`tabs` times), and returns the screen once `pred` holds.
fn complete(term: &Terminal, text: &str, tabs: usize, pred: impl Fn(&str) -> bool) -> String {
    term.type_text(text);
    for _ in 0..tabs {
        term.keys(&["Tab"]);
    }
    term.wait_screen(pred, T)
}

/// The line being edited becomes exactly `want`.
fn line_becomes(term: &Terminal, prompt: &str, text: &str, want: &str) {
    let got = complete(term, text, 1, |s| {
        edit_line(s, prompt).as_deref() == Some(want)
    });
    assert_eq!(edit_line(&got, prompt).as_deref(), Some(want), "{got}");
    clear(term, prompt);
}

/// Tab completes live names, and for restore the recorded names tmux lost;
/// `compinit_first` (zsh only): compinit before the init line in .zshrc, else after it.
fn tab_completion(sh: Sh, compinit_first: bool) {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    for name in ["alpha-one", "alpha-two", "beta"] {
        sb.ok(&["attach", "--detached", name]);
    }
    let prompt = sh.prompt("");
    let mut shell = Shell::new(&sb, sh).env("THANOS_TMUX_AUTO", "0");
    if sh == Sh::Zsh {
        // The snippet must register whichever comes first in .zshrc.
        let compinit = "autoload -Uz compinit && compinit -u";
        shell = if compinit_first {
            shell.before(compinit)
        } else {
            shell.after(compinit)
        };
    }
    let term = shell.spawn();
    wait_silent_prompt(&term, &prompt, "completion shell");
    assert!(sb.clients().is_empty());

    line_becomes(
        &term,
        &prompt,
        "thanos-tmux kill bet",
        "thanos-tmux kill beta",
    );
    line_becomes(&term, &prompt, "thanos-tmux sta", "thanos-tmux status");

    // Ambiguous: both names are listed (bash lists on the second Tab).
    let tabs = if sh == Sh::Bash { 2 } else { 1 };
    let listed = |s: &str| {
        // Below the prompt line, as a list; the typed text holds neither full name.
        let list = noise(s, &prompt).join("\n");
        list.contains("alpha-one") && list.contains("alpha-two")
    };
    complete(&term, "thanos-tmux attach alpha-", tabs, listed);
    // No C-c here: a SIGINT that bash handles late would abort the next line typed.
    clear(&term, &prompt);

    // restore completes recorded names tmux lost (a crash is not a close).
    sb.kill_server();
    assert_eq!(
        sb.ok(&["list", "--names", "--dead"])
            .lines()
            .collect::<Vec<_>>(),
        ["alpha-one", "alpha-two", "beta"]
    );
    line_becomes(
        &term,
        &prompt,
        "thanos-tmux restore be",
        "thanos-tmux restore beta",
    );
}

/// zsh with compinit after the init line; before it in the test below.
fn tab_completes_live_and_dead_names(sh: Sh) {
    tab_completion(sh, false);
}

per_shell!(tab_completes_live_and_dead_names);

#[test]
fn zsh_tab_completes_with_compinit_before_the_init_line() {
    tab_completion(Sh::Zsh, true);
}

// ------------------------------------------------------------ the logout step

const KILL_SCRATCH: &str = "kill_on_logout = [\"scratch\"]\n";

/// Waits until the logout step killed `scratch`; `thanos-main` stays.
fn assert_logout_ran(sb: &Sandbox, what: &str) {
    let gone = wait_for(|| !sb.has_session("scratch"), Duration::from_secs(5));
    assert!(
        gone,
        "{what}: scratch survived the exit; sessions {:?}",
        sb.sessions()
    );
    assert!(sb.has_session("thanos-main"), "{what}: {:?}", sb.sessions());
}

fn exit_runs_the_logout_step(sh: Sh) {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    sb.write_config(KILL_SCRATCH);
    sb.ok(&["attach", "--detached", "scratch"]);
    let prompt = sh.prompt("");
    let term = Shell::new(&sb, sh).spawn();
    wait_attached(&sb, &term, "thanos-main");
    detach(&sb, "thanos-main");
    wait_prompt(&term, &prompt);
    assert!(sb.has_session("scratch"));
    term.type_line("exit");
    assert!(wait_for(|| term.exited(), T), "{sh:?} did not exit");
    assert_logout_ran(&sb, &format!("{sh:?}"));
}

per_shell!(exit_runs_the_logout_step);

#[test]
fn bash_keeps_the_users_exit_trap() {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    sb.write_config(KILL_SCRATCH);
    sb.ok(&["attach", "--detached", "scratch"]);
    let bye = sb.root.join("bye file");
    let prompt = Sh::Bash.prompt("");
    let term = Shell::new(&sb, Sh::Bash)
        .before(&format!(
            "trap 'echo bye > {}' EXIT",
            sh_quote(&bye.to_string_lossy()).replace('\'', "\"")
        ))
        .spawn();
    wait_attached(&sb, &term, "thanos-main");
    detach(&sb, "thanos-main");
    wait_prompt(&term, &prompt);
    term.type_line("exit");
    assert!(wait_for(|| term.exited(), T), "bash did not exit");
    assert_eq!(
        fs::read_to_string(&bye).ok().as_deref(),
        Some("bye\n"),
        "the user's EXIT trap did not run"
    );
    assert_logout_ran(&sb, "bash with a user EXIT trap");
}

#[test]
fn a_login_shell_with_auto_attach_off_still_runs_the_logout_step() {
    // THANOS_TMUX_AUTO=0 and --no-attach are choices, not guards.
    for (sh, env, flags) in [
        (Sh::Bash, Some(("THANOS_TMUX_AUTO", "0")), ""),
        (Sh::Zsh, None, "--no-attach"),
    ] {
        let sb = Sandbox::new();
        let _quiet = Quiet(&sb);
        sb.write_config(KILL_SCRATCH);
        sb.ok(&["attach", "--detached", "scratch"]);
        sb.ok(&["attach", "--detached", "main"]);
        let prompt = sh.prompt("");
        let mut shell = Shell::new(&sb, sh).login().flags(flags);
        if let Some((k, v)) = env {
            shell = shell.env(k, v);
        }
        let term = shell.spawn();
        wait_silent_prompt(&term, &prompt, &format!("login {sh:?}"));
        assert!(sb.clients().is_empty());
        term.type_line("exit");
        assert!(wait_for(|| term.exited(), T), "{sh:?} did not exit");
        assert_logout_ran(&sb, &format!("login {sh:?} with {env:?} {flags}"));
    }
}

#[test]
fn a_guarded_login_shell_never_runs_the_logout_step() {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    sb.write_config(KILL_SCRATCH);
    sb.ok(&["attach", "--detached", "scratch"]);
    let prompt = Sh::Fish.prompt("");
    let term = Shell::new(&sb, Sh::Fish)
        .login()
        .env("TERM_PROGRAM", "vscode")
        .spawn();
    wait_silent_prompt(&term, &prompt, "login fish in vscode");
    term.type_line("exit");
    assert!(wait_for(|| term.exited(), T), "fish did not exit");
    std::thread::sleep(Duration::from_millis(1000));
    assert!(
        sb.has_session("scratch"),
        "an IDE terminal ran the logout step: {:?}",
        sb.sessions()
    );
}

// ------------------------------------------------------------ missing tools

#[test]
fn without_tmux_every_shell_starts_plain() {
    for sh in SHELLS {
        let sb = Sandbox::new();
        let _quiet = Quiet(&sb);
        let path = format!(
            "{}:{}",
            sandbox_bin(&sb).display(),
            path_without_tmux(&sb).display()
        );
        let prompt = sh.prompt("");
        let term = Shell::new(&sb, sh).path(&path).spawn();
        let screen = wait_prompt(&term, &prompt);
        assert!(
            noise(&screen, &prompt).len() <= 1,
            "{sh:?} without tmux: more than one line:\n{screen}"
        );
        assert_loaded_and_working(&term, sh, "notmux", &prompt);
        assert_no_tmux(&sb, &format!("{sh:?} without tmux"));
    }
}

/// A folder holding a `thanos-tmux` that leaves a mark when it runs, as an installed one
/// would sit on the PATH the tests are given (~/.cargo/bin after `./scripts/install`).
/// Returns the folder and the mark.
fn installed_thanos_tmux(sb: &Sandbox) -> (PathBuf, PathBuf) {
    let dir = sb.root.join("installed-bin");
    let mark = sb.root.join("installed-thanos-tmux-ran");
    write_script(
        &dir.join("thanos-tmux"),
        &format!("#!/bin/sh\n: > {}\n", sh_quote(&mark.to_string_lossy())),
    );
    (dir, mark)
}

#[test]
fn without_thanos_tmux_every_shell_still_starts() {
    for sh in SHELLS {
        let sb = Sandbox::new();
        let _quiet = Quiet(&sb);
        // Whether or not this machine has thanos-tmux installed, the PATH the test is
        // given has one (first), and the shell's PATH has none.
        let (installed, ran) = installed_thanos_tmux(&sb);
        let given = format!("{}:{}", installed.display(), real_path());
        let path = path_without_thanos_tmux(&sb, &given);
        assert!(
            !std::env::split_paths(&path).any(|dir| dir == installed),
            "{path}"
        );
        let prompt = sh.prompt("");
        let term = Shell::new(&sb, sh).path(&path).spawn();
        // The README's line checks for thanos-tmux first: not a word.
        wait_silent_prompt(&term, &prompt, &format!("{sh:?} without thanos-tmux"));
        assert_working(&term, sh, "nobin", &prompt);
        assert!(
            !ran.exists(),
            "{sh:?} ran a thanos-tmux from a PATH that should hold none: {path}"
        );
        assert_no_tmux(&sb, &format!("{sh:?} without thanos-tmux"));
    }
}

/// The README's line alone in the file the README names, with a prompt of the test's
/// own given outside that file: zsh takes PS1 from the environment (no system rc
/// files), bash from an rc file of the test's own that sets it and then sources
/// ~/.bashrc (the system bashrc, read first, sets PS1), fish from a prompt function in
/// ~/.config/fish/functions.
fn readme_line_terminal(sb: &Sandbox, sh: Sh, path: &str, extra: &[(&str, &str)]) -> Terminal {
    let (file, line) = sh.readme_setup();
    let rc = sb.home.join(
        file.strip_prefix("~/")
            .unwrap_or_else(|| panic!("README's {sh:?} file is not in ~: {file}")),
    );
    fs::create_dir_all(rc.parent().unwrap()).unwrap();
    fs::write(&rc, format!("{line}\n")).unwrap();
    let functions = sb.home.join(".config/fish/functions");
    fs::create_dir_all(&functions).unwrap();
    fs::write(
        functions.join("fish_prompt.fish"),
        format!(
            "function fish_prompt\n    printf '%s ' {}\nend\n",
            sh_quote(&Sh::Fish.prompt(""))
        ),
    )
    .unwrap();
    // Without it an interactive fish starts a long job of its own (see Shell::write_rc).
    fs::create_dir_all(sb.home.join(".local/share/fish/generated_completions")).unwrap();
    let program = sh_quote(&sh.program().to_string_lossy());
    let ps1 = format!("{} ", sh.prompt(""));
    let command = match sh {
        Sh::Bash => {
            let wrapper = sb.root.join("readme-bashrc");
            fs::write(
                &wrapper,
                format!(
                    "PS1={}\n. {}\n",
                    sh_quote(&ps1),
                    sh_quote(&rc.to_string_lossy())
                ),
            )
            .unwrap();
            format!(
                "exec {program} --rcfile {} -i",
                sh_quote(&wrapper.to_string_lossy())
            )
        }
        Sh::Zsh => format!("exec {program} --no-globalrcs -i"),
        Sh::Fish => format!("exec {program} -i"),
    };
    let config_home = sb.home.join(".config").to_string_lossy().into_owned();
    let mut env = vec![
        ("PATH", path),
        ("PS1", ps1.as_str()),
        // The README's fish file is ~/.config/fish/config.fish.
        ("XDG_CONFIG_HOME", config_home.as_str()),
        ("fish_greeting", ""),
        ("fish_autosuggestion_enabled", "0"),
    ];
    env.extend_from_slice(extra);
    Terminal::spawn(sb, &sb.home, &command, &env)
}

/// A shell whose rc holds exactly the README's line starts, where thanos-tmux is not on
/// PATH, as if the line were not there: nothing printed, a prompt, and the rc ends with
/// status 0 (the first prompt's `$?`, what `exit` would return and what status-showing
/// prompts show). Where it is on PATH, the same file loads the snippet.
fn the_readme_line_is_silent_without_thanos_tmux(sh: Sh) {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    let prompt = sh.prompt("");
    let (installed, ran) = installed_thanos_tmux(&sb);
    let without =
        path_without_thanos_tmux(&sb, &format!("{}:{}", installed.display(), real_path()));
    let what = format!("{sh:?} with the README's line and no thanos-tmux");
    let term = readme_line_terminal(&sb, sh, &without, &[]);
    wait_silent_prompt(&term, &prompt, &what);
    term.type_line(match sh {
        Sh::Fish => "echo first-status-$status",
        _ => "echo first-status-$?",
    });
    let screen = term.wait_screen(
        |s| {
            let said = noise(s, &prompt);
            !said.is_empty() && last_line(s) == prompt
        },
        T,
    );
    assert_eq!(
        noise(&screen, &prompt),
        ["first-status-0"],
        "{what}: the rc should end with status 0 and print nothing:\n{screen}"
    );
    assert!(!ran.exists(), "{what}: a thanos-tmux ran");
    assert_no_tmux(&sb, &what);

    // The same file, thanos-tmux on PATH: the line loads the snippet.
    let with = format!("{}:{without}", sandbox_bin(&sb).display());
    let term = readme_line_terminal(&sb, sh, &with, &[("THANOS_TMUX_AUTO", "0")]);
    let what = format!("{sh:?} with the README's line");
    wait_silent_prompt(&term, &prompt, &what);
    assert_loaded_and_working(&term, sh, "readme", &prompt);
}

per_shell!(the_readme_line_is_silent_without_thanos_tmux);

// ------------------------------------------------------------ hung and failing tmux

/// A fake `tmux` first on PATH: logs `PID ARGS` for every call, then runs `body`.
fn fake_tmux(sb: &Sandbox, body: &str) -> (PathBuf, PathBuf) {
    let dir = sb.root.join("fake-tmux");
    let log = sb.root.join("tmux-calls.log");
    write_script(
        &dir.join("tmux"),
        &format!(
            "#!/bin/sh\necho \"$$ $*\" >> {}\n{body}\n",
            sh_quote(&log.to_string_lossy())
        ),
    );
    (dir, log)
}

fn calls(log: &Path) -> Vec<String> {
    fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Kills (by pid) whatever the fake tmux left running when the test ends, pass or fail.
struct FakePids(PathBuf);

impl FakePids {
    fn pids(&self) -> Vec<u32> {
        calls(&self.0)
            .iter()
            .filter_map(|l| l.split(' ').next()?.parse().ok())
            .collect()
    }
}

impl Drop for FakePids {
    fn drop(&mut self) {
        for pid in self.pids() {
            if !pid_gone(pid) {
                // SAFETY: kill has no memory preconditions; the pid is one our fake
                // tmux logged for itself.
                unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            }
        }
    }
}

const HANG: &str = "exec sleep 30";
const MISMATCH: &str = "if [ \"$1\" = -V ]; then echo 'tmux 3.3a'; exit 0; fi\n\
    echo 'protocol version mismatch (client 8, server 7)' >&2\nexit 1";

/// Starts the shell: a working prompt within 3.5 s, after one line saying tmux did not
/// answer in 2 seconds.
fn prompt_after_2_seconds(shell: Shell, sh: Sh) {
    let prompt = sh.prompt("");
    let start = Instant::now();
    let term = shell.spawn();
    let screen = wait_prompt(&term, &prompt);
    let took = start.elapsed();
    assert!(
        took < Duration::from_millis(3500),
        "{sh:?}: the prompt came after {took:?}"
    );
    let said = noise(&screen, &prompt);
    assert_eq!(said.len(), 1, "{sh:?}: expected one line:\n{screen}");
    assert!(
        said[0].contains("tmux") && said[0].contains("2 seconds"),
        "{sh:?}: the line should say tmux did not answer in 2 seconds:\n{screen}"
    );
    assert_working(&term, sh, "late", &prompt);
}

fn a_hung_tmux_gives_a_prompt_within_3_seconds(sh: Sh) {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    let (fake, log) = fake_tmux(&sb, HANG);
    let fakes = FakePids(log.clone());
    prompt_after_2_seconds(Shell::new(&sb, sh).path(&path_with(&sb, Some(&fake))), sh);
    assert!(!calls(&log).is_empty(), "the fake tmux was never called");
    for pid in fakes.pids() {
        assert!(
            wait_for(|| pid_gone(pid), Duration::from_secs(2)),
            "{sh:?}: the hung tmux {pid} was left running"
        );
    }
}

per_shell!(a_hung_tmux_gives_a_prompt_within_3_seconds);

/// Resumes a stopped server when the test ends, pass or fail, so it can be killed.
struct Resume(u32);

impl Drop for Resume {
    fn drop(&mut self) {
        // SAFETY: kill has no memory preconditions; the pid is our sandbox's server.
        unsafe { libc::kill(self.0 as i32, libc::SIGCONT) };
    }
}

/// Connections to `socket` that nobody accepts, until its queue is full.
fn fill_queue(socket: &Path) -> Vec<std::os::unix::net::UnixStream> {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::io::FromRawFd;
    let mut held = Vec::new();
    let path = socket.as_os_str().as_bytes();
    while held.len() < 5000 {
        // SAFETY: plain socket calls on a descriptor owned at once by a UnixStream; the
        // address is zeroed and the path is shorter than sun_path.
        unsafe {
            let fd = libc::socket(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_NONBLOCK, 0);
            assert!(fd >= 0);
            let stream = std::os::unix::net::UnixStream::from_raw_fd(fd);
            let mut addr: libc::sockaddr_un = std::mem::zeroed();
            addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
            for (slot, byte) in addr.sun_path.iter_mut().zip(path) {
                *slot = *byte as libc::c_char;
            }
            let len = std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t;
            if libc::connect(fd, &addr as *const _ as *const libc::sockaddr, len) != 0 {
                return held;
            }
            held.push(stream);
        }
    }
    panic!("the queue of {} never filled", socket.display());
}

fn a_stopped_server_gives_a_prompt_within_3_seconds(full_queue: bool) {
    // Over the socket no tmux process is there to kill: the limit is on the answer,
    // and on every call of the login path together.
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    sb.start_server("other");
    let pid = sb.server_pid().expect("server pid");
    let _resume = Resume(pid);
    // SAFETY: as above.
    unsafe { libc::kill(pid as i32, libc::SIGSTOP) };
    let _held = full_queue.then(|| fill_queue(&sb.socket_path()));
    prompt_after_2_seconds(Shell::new(&sb, Sh::Bash), Sh::Bash);
}

#[test]
fn a_stopped_server_with_room_gives_a_bash_prompt_within_3_seconds() {
    a_stopped_server_gives_a_prompt_within_3_seconds(false);
}

#[test]
fn a_stopped_server_with_a_full_queue_gives_a_bash_prompt_within_3_seconds() {
    a_stopped_server_gives_a_prompt_within_3_seconds(true);
}

fn a_failing_tmux_says_one_line(sh: Sh) {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    let (fake, log) = fake_tmux(&sb, MISMATCH);
    let _fakes = FakePids(log.clone());
    let prompt = sh.prompt("");
    let term = Shell::new(&sb, sh)
        .path(&path_with(&sb, Some(&fake)))
        .spawn();
    let screen = wait_prompt(&term, &prompt);
    let said = noise(&screen, &prompt);
    assert_eq!(said.len(), 1, "{sh:?}: expected one line:\n{screen}");
    assert!(
        said[0].contains("protocol version mismatch"),
        "{sh:?}: the line should carry tmux's reason:\n{screen}"
    );
    assert!(!calls(&log).is_empty(), "the fake tmux was never called");
    assert_working(&term, sh, "failing", &prompt);
}

per_shell!(a_failing_tmux_says_one_line);

#[test]
fn a_second_terminal_at_login_gets_its_own_session_in_the_group() {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    let first = Shell::new(&sb, Sh::Zsh).spawn();
    wait_attached(&sb, &first, "thanos-main");
    let second = Shell::new(&sb, Sh::Fish).spawn();
    let both = wait_for(|| sb.clients().len() == 2, T);
    assert!(both, "{:?}\n{}", sb.clients(), second.screen());
    let mut on: Vec<String> = sb.clients().into_iter().map(|(_, s)| s).collect();
    on.sort();
    assert_eq!(on[0], "thanos-main");
    assert!(on[1].starts_with("thanos-main~"), "{on:?}");
    assert_eq!(sb.recorded(), ["thanos-main"]);
}

#[test]
fn a_bad_config_value_costs_one_line_at_login_and_tmux_comes_with_the_defaults() {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    let config = sb.write_config("prefix = \"my-\"\nauto_quit = \"yes\"\n");
    let sh = Sh::Bash;
    let prompt = sh.prompt("");
    let term = Shell::new(&sb, sh).spawn();
    // The built-in defaults: thanos-main, not my-main.
    wait_attached(&sb, &term, "thanos-main");
    detach(&sb, "thanos-main");
    let screen = wait_prompt(&term, &prompt);
    // What was said before tmux took the terminal, less tmux's own "[detached …]".
    let said: Vec<&str> = noise(&screen, &prompt)
        .into_iter()
        .filter(|l| !l.starts_with("[detached"))
        .collect();
    assert_eq!(said.len(), 1, "expected one line:\n{screen}");
    for needle in [
        config.to_str().unwrap(),
        ":2",
        "auto_quit",
        "using the built-in defaults",
    ] {
        assert!(said[0].contains(needle), "{needle:?} missing:\n{screen}");
    }
    assert_working(&term, sh, "config", &prompt);
}

#[test]
fn three_failures_in_ten_minutes_pause_auto_attach() {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    let (fake, log) = fake_tmux(&sb, MISMATCH);
    let _fakes = FakePids(log.clone());
    let path = path_with(&sb, Some(&fake));
    let mut after_three = 0;
    let sh = Sh::Bash;
    let prompt = sh.prompt("");
    for n in 0..5 {
        let term = Shell::new(&sb, sh).path(&path).spawn();
        let screen = wait_prompt(&term, &prompt);
        let said = noise(&screen, &prompt);
        let what = format!("terminal {}", n + 1);
        match n {
            0..=2 => {
                assert_eq!(said.len(), 1, "{what}: expected one line:\n{screen}");
                assert!(
                    said[0].contains("protocol version mismatch"),
                    "{what}:\n{screen}"
                );
                after_three = calls(&log).len();
            }
            3 => {
                assert_eq!(said.len(), 1, "{what}: expected one line:\n{screen}");
                assert!(said[0].contains("paused"), "{what}:\n{screen}");
            }
            _ => assert!(said.is_empty(), "{what}: the pause is said once:\n{screen}"),
        }
        assert_working(&term, sh, "failing", &prompt);
    }
    assert!(after_three > 0, "the fake tmux was never called");
    assert_eq!(
        calls(&log).len(),
        after_three,
        "a paused auto-attach still called tmux: {:?}",
        calls(&log)
    );
}

#[test]
fn a_pause_is_one_servers_shows_in_status_and_doctor_and_an_attach_by_hand_lifts_it() {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    let (fake, log) = fake_tmux(&sb, MISMATCH);
    let _fakes = FakePids(log.clone());
    let failing = path_with(&sb, Some(&fake));
    let sh = Sh::Bash;
    let prompt = sh.prompt("");
    for _ in 0..4 {
        let term = Shell::new(&sb, sh).path(&failing).spawn();
        wait_prompt(&term, &prompt);
    }
    let paused_until = |args: &[&str]| {
        let json: serde_json::Value = serde_json::from_str(&sb.ok(args)).unwrap();
        json["auto_attach"]["paused_until"].as_i64()
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let until = paused_until(&["status", "--json"]).expect("status shows the pause");
    assert!(
        (now + 500..=now + 601).contains(&until),
        "{until} vs now {now}"
    );
    let status = sb.run(&["status"]);
    assert!(
        stdout(&status).contains("auto-attach is paused for"),
        "{}",
        describe(&status)
    );
    let doctor = sb.run(&["doctor"]);
    assert!(
        stdout(&doctor).contains("! auto-attach is paused for"),
        "{}",
        describe(&doctor)
    );
    // The pause is this server's: another one is not paused.
    assert_eq!(paused_until(&["-L", "other", "status", "--json"]), None);

    // What the pause message advises works: an attach by hand, with a working tmux.
    let term = Terminal::new(&sb);
    term.wait_screen(|s| s.contains('$'), T);
    term.type_line(&sh_quote(bin().to_str().unwrap()));
    wait_attached(&sb, &term, "thanos-main");
    detach(&sb, "thanos-main");
    assert_eq!(
        paused_until(&["status", "--json"]),
        None,
        "the attach lifted it"
    );
    // And the next terminal attaches by itself again.
    let term = Shell::new(&sb, sh).spawn();
    wait_attached(&sb, &term, "thanos-main");
}

// ------------------------------------------------------------ auto_quit

fn auto_quit_closes_the_terminal_on_detach(sh: Sh) {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    sb.write_config("auto_quit = true\n");
    let term = Shell::new(&sb, sh).spawn();
    wait_attached(&sb, &term, "thanos-main");
    detach(&sb, "thanos-main");
    assert!(
        wait_for(|| term.exited(), T),
        "{sh:?}: the shell stayed after a detach with auto_quit:\n{}",
        term.screen()
    );
    assert!(sb.has_session("thanos-main"));

    // A failed attach keeps the shell.
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    sb.write_config("auto_quit = true\n");
    let (fake, log) = fake_tmux(&sb, MISMATCH);
    let _fakes = FakePids(log);
    let prompt = sh.prompt("");
    let term = Shell::new(&sb, sh)
        .path(&path_with(&sb, Some(&fake)))
        .spawn();
    wait_prompt(&term, &prompt);
    assert_working(&term, sh, "stays", &prompt);
    assert!(!term.exited());
}

per_shell!(auto_quit_closes_the_terminal_on_detach);

// ------------------------------------------------------------ hostile folders

fn a_hostile_folder_is_only_a_name(sh: Sh) {
    let sb = Sandbox::new();
    let _quiet = Quiet(&sb);
    let repo = sb.git_repo("we ird $(touch pwned) ;x");
    let expected = sb.ok_in(&repo, &["name"]).trim().to_string();
    assert_eq!(expected, "we-ird-touch-pwned-x");
    let prompt = sh.prompt("");
    let term = Shell::new(&sb, sh).dir(&repo).spawn();
    wait_attached(&sb, &term, &expected);
    assert_eq!(sb.session_path(&expected).as_deref(), repo.to_str());
    detach(&sb, &expected);
    wait_prompt(&term, &prompt);
    assert_working(&term, sh, "hostile", &prompt);
    assert!(sb.find("pwned").is_empty(), "{:?}", sb.find("pwned"));
}

per_shell!(a_hostile_folder_is_only_a_name);
