//! Typed builders of every tmux command thanos-tmux sends. Command names, flags and
//! targets are written here and nowhere outside `tmux/`: a caller says what it wants
//! done to which session, window or pane, and this file says it in tmux's words (exact
//! targets, `#` made literal where tmux would expand it).

use super::{format, target, Batch};
use std::path::Path;

/// What a command acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum At<'a> {
    /// A session by its exact name. Session commands get `=NAME`; window and pane
    /// commands get `=NAME:`, the session's current window or pane.
    Name(&'a str),
    /// A session, window or pane id as tmux printed it (`$1`, `@2`, `%3`).
    Id(&'a str),
}

impl At<'_> {
    /// The target of a command that takes a session.
    fn session(self) -> String {
        match self {
            At::Name(name) => target::session(name),
            At::Id(id) => id.to_string(),
        }
    }

    /// The target of a command that takes a window or a pane.
    fn pane(self) -> String {
        match self {
            At::Name(name) => target::session_window(name),
            At::Id(id) => id.to_string(),
        }
    }
}

/// Which panes `list_panes` reads.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Panes<'a> {
    /// Every pane of the server.
    All,
    /// Every pane of one session.
    Session(At<'a>),
    /// The panes of the window that holds this pane or window.
    Window(At<'a>),
}

/// How `new_session` treats the client and what it prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Start {
    /// Detached, printing nothing.
    Detached,
    /// Detached, printing the new session's id and server (`format::CREATED`).
    DetachedReporting,
    /// Attach the client, to the session of that name if it already exists.
    Attach,
}

/// What a new session, window or respawned pane starts with.
#[derive(Clone, Debug, Default)]
pub(crate) struct Spawn<'a> {
    /// Its folder (taken literally: a `#` in it is not a format).
    pub(crate) dir: Option<&'a Path>,
    /// The window's name (taken literally); tmux names it after its program otherwise.
    pub(crate) window_name: Option<&'a str>,
    /// Variables set for the program.
    pub(crate) env: &'a [(String, String)],
    /// A command run by `sh -c` instead of the default shell.
    pub(crate) command: Option<&'a str>,
    /// The window's size (a new session only; tmux takes 1 to 10000 each way).
    pub(crate) size: Option<(u32, u32)>,
}

impl Spawn<'_> {
    fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some((width, height)) = self.size {
            args.extend([
                "-x".into(),
                width.to_string(),
                "-y".into(),
                height.to_string(),
            ]);
        }
        if let Some(dir) = self.dir {
            args.extend(["-c".into(), target::literal(&dir.to_string_lossy())]);
        }
        if let Some(name) = self.window_name {
            args.extend(["-n".into(), target::literal(name)]);
        }
        for (key, value) in self.env {
            args.extend(["-e".into(), format!("{key}={value}")]);
        }
        if let Some(command) = self.command {
            args.extend(["--".into(), "sh".into(), "-c".into(), command.into()]);
        }
        args
    }
}

/// The greeting a session created by thanos-tmux shows once, in tmux's status line.
const GREETING: &str = "set-option @thanos-greeted 1 ; display-message \
\"#[fg=colour135,bold]thanos-tmux#[default] · session #[fg=colour220,bold]#{session_name}#[default] is home · detach: prefix d\"";

impl Batch {
    /// `list-sessions -F FORMAT`.
    pub(crate) fn list_sessions(self, format: &str) -> Self {
        self.cmd(["list-sessions", "-F", format])
    }

    /// `list-panes -F FORMAT` of the panes asked for.
    pub(crate) fn list_panes(self, panes: Panes, format: &str) -> Self {
        match panes {
            Panes::All => self.cmd(["list-panes", "-a", "-F", format]),
            Panes::Session(at) => self.cmd(["list-panes", "-s", "-t", &at.pane(), "-F", format]),
            Panes::Window(at) => self.cmd(["list-panes", "-t", &at.pane(), "-F", format]),
        }
    }

    /// `has-session`: fails with "can't find session" when there is none.
    pub(crate) fn has_session(self, at: At) -> Self {
        self.cmd(["has-session", "-t", &at.session()])
    }

    /// `display-message -p FORMAT`, of a session's current pane or of the server.
    pub(crate) fn display(self, at: Option<At>, format: &str) -> Self {
        match at {
            Some(at) => self.cmd(["display-message", "-p", "-t", &at.pane(), format]),
            None => self.cmd(["display-message", "-p", format]),
        }
    }

    /// `capture-pane -p`: the visible text of a session's current pane (no escapes).
    pub(crate) fn capture_pane(self, at: At) -> Self {
        self.cmd(["capture-pane", "-p", "-t", &at.pane()])
    }

    /// `kill-session`.
    pub(crate) fn kill_session(self, at: At) -> Self {
        self.cmd(["kill-session", "-t", &at.session()])
    }

    /// `kill-server`.
    pub(crate) fn kill_server(self) -> Self {
        self.cmd(["kill-server"])
    }

    /// Keeps the server running when its last session closes, so that closing it fires
    /// `session-closed` instead of ending the server silently.
    pub(crate) fn keep_server_when_empty(self) -> Self {
        self.cmd(["set-option", "-s", "exit-empty", "off"])
    }

    /// A session option (`set-option`); `None` is the session the batch is in.
    pub(crate) fn set_session_option(self, at: Option<At>, key: &str, value: &str) -> Self {
        match at {
            Some(at) => self.cmd(["set-option", "-t", &at.pane(), key, value]),
            None => self.cmd(["set-option", key, value]),
        }
    }

    /// A window option (`set-option -w`); `None` is the window the batch is in.
    pub(crate) fn set_window_option(self, at: Option<At>, key: &str, value: &str) -> Self {
        match at {
            Some(at) => self.cmd(["set-option", "-w", "-t", &at.pane(), key, value]),
            None => self.cmd(["set-option", "-w", key, value]),
        }
    }

    /// Unsets a window option (`set-option -w -u`).
    pub(crate) fn unset_window_option(self, at: At, key: &str) -> Self {
        self.cmd(["set-option", "-w", "-u", "-t", &at.pane(), key])
    }

    /// Marks a session as thanos-tmux's (`@thanos-managed`); `None` is the session the
    /// batch is in.
    pub(crate) fn mark_managed(self, at: Option<At>) -> Self {
        self.set_session_option(at, "@thanos-managed", "1")
    }

    /// Sets one slot of a global hook (`set-hook -g EVENT[INDEX]`): the hooks a user
    /// set in other slots keep working.
    pub(crate) fn set_hook(self, event: &str, index: u32, command: &str) -> Self {
        self.cmd(["set-hook", "-g", &format!("{event}[{index}]"), command])
    }

    /// Sets one slot of a global hook to run, in the background,
    /// `PROGRAM -S SOCKET hook EVENT name=… id=… current=… pane=…`, tmux filling in the
    /// server's socket and the hook's session and pane. `program` is a line for `sh`.
    pub(crate) fn set_hook_calling(self, event: &str, index: u32, program: &str) -> Self {
        // `#` doubled in the program; the formats after it are tmux's to expand when
        // the hook fires.
        let shell = format!(
            "{} -S #{{q:socket_path}} hook {event} name=#{{q:hook_session_name}} \
             id=#{{q:hook_session}} current=#{{q:session_name}} pane=#{{hook_pane}} >/dev/null 2>&1",
            target::literal(program)
        );
        let command = format!("run-shell -b {}", target::tmux_double_quote(&shell));
        self.set_hook(event, index, &command)
    }

    /// `show-hooks -g`: the global session hooks, one `EVENT[INDEX] COMMAND` a line.
    pub(crate) fn show_hooks(self) -> Self {
        self.cmd(["show-hooks", "-g"])
    }

    /// `run-shell -b` of a shell command (tmux expands formats in it first).
    pub(crate) fn run_shell_background(self, shell: &str) -> Self {
        self.cmd(["run-shell", "-b", shell])
    }

    /// `new-session -s NAME`.
    pub(crate) fn new_session(self, name: &str, start: Start, spawn: &Spawn) -> Self {
        let mut args: Vec<String> = match start {
            Start::Detached => vec!["new-session".into(), "-d".into()],
            Start::DetachedReporting => ["new-session", "-d", "-P", "-F", format::CREATED]
                .map(String::from)
                .to_vec(),
            Start::Attach => vec!["new-session".into(), "-A".into()],
        };
        args.extend(["-s".into(), target::literal(name)]);
        args.extend(spawn.args());
        self.cmd(args)
    }

    /// `new-window` in a session, which becomes its current window.
    pub(crate) fn new_window(self, session: At, spawn: &Spawn) -> Self {
        let mut args = vec!["new-window".into(), "-t".into(), session.pane()];
        args.extend(spawn.args());
        self.cmd(args)
    }

    /// `respawn-pane -k`: the pane's program is killed and started anew.
    pub(crate) fn respawn_pane(self, pane: At, spawn: &Spawn) -> Self {
        let mut args = vec!["respawn-pane".into(), "-k".into(), "-t".into(), pane.pane()];
        args.extend(spawn.args());
        self.cmd(args)
    }

    /// `split-window` of a session's current pane; the new pane becomes current.
    pub(crate) fn split_window(self, session: At, dir: &Path) -> Self {
        self.cmd([
            "split-window",
            "-t",
            &session.pane(),
            "-c",
            &target::literal(&dir.to_string_lossy()),
        ])
    }

    /// Types a line into a session's current pane, as if by hand, and presses Enter.
    pub(crate) fn type_line(self, session: At, line: &str) -> Self {
        let here = session.pane();
        self.cmd(["send-keys", "-t", &here, "-l", "--", line]).cmd([
            "send-keys",
            "-t",
            &here,
            "Enter",
        ])
    }

    /// `select-layout` of a session's current window.
    pub(crate) fn select_layout(self, session: At, layout: &str) -> Self {
        self.cmd(["select-layout", "-t", &session.pane(), layout])
    }

    /// Selects a session's window by its place: 0 is its first window (lowest
    /// index), n the one n windows after it; indexes need not be known.
    pub(crate) fn select_window(self, session: &str, place: usize) -> Self {
        // `+N` counts from the current window, so the first is selected first.
        let here = target::session_window(session);
        let batch = self.cmd(["select-window", "-t", &format!("{here}^")]);
        match place {
            0 => batch,
            n => batch.cmd(["select-window", "-t", &format!("{here}+{n}")]),
        }
    }

    /// Attaches the client to a new session `name` in the group of session `group`
    /// (the same windows, its own current window), marked `@thanos-grouped` and given a
    /// new window of its own in `dir`. Not `destroy-unattached`: tmux 3.3a's server
    /// crashes when such a session of a group goes while hooks run for it; the
    /// `client-detached` hook ends it instead.
    pub(crate) fn attach_grouped(self, group: &str, name: &str, dir: &Path) -> Self {
        let here = At::Name(name);
        self.cmd([
            "new-session",
            "-t",
            &target::session(group),
            "-s",
            &target::literal(name),
        ])
        .set_session_option(Some(here), "@thanos-grouped", "1")
        .new_window(
            here,
            &Spawn {
                dir: Some(dir),
                ..Spawn::default()
            },
        )
    }

    /// `attach-session` to a session.
    pub(crate) fn attach_session(self, at: At) -> Self {
        self.cmd(["attach-session", "-t", &at.session()])
    }

    /// `switch-client` (from inside tmux) to a session.
    pub(crate) fn switch_client(self, at: At) -> Self {
        self.cmd(["switch-client", "-t", &at.session()])
    }

    /// Shows the greeting once in a session thanos-tmux made.
    pub(crate) fn greet_once(self, session: &str) -> Self {
        self.cmd([
            "if-shell",
            "-F",
            "-t",
            &target::session_window(session),
            "#{?@thanos-greeted,,#{@thanos-managed}}",
            GREETING,
        ])
    }
}
