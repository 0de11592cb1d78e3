//! The command line (clap derive only). Doc comments are the help text. It uses clap
//! and std alone, so that the lint test can read it as a module of its own.

use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};
use std::path::PathBuf;

/// The subcommand a bare word was likely meant as (`lsit` → `list`), if any.
pub fn mistyped_command(word: &str) -> Option<String> {
    use clap::CommandFactory;
    let cli = Cli::command();
    let names: Vec<&str> = cli
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .flat_map(|c| std::iter::once(c.get_name()).chain(c.get_visible_aliases()))
        .collect();
    thanos_tmux::did_you_mean(word, names).map(str::to_string)
}

/// What a mistyped subcommand is told.
pub fn mistyped_message(word: &str, meant: &str) -> String {
    format!(
        "unknown command '{word}'; did you mean '{meant}'? (a new session with that name: thanos-tmux attach {word})"
    )
}

const AFTER_HELP: &str = "\
Environment:
  THANOS_TMUX_SOCKET     tmux server: a socket path (holds '/') or a socket name
  THANOS_TMUX_SESSION    force the session name picked without NAME
  THANOS_TMUX_AUTO=0     turn auto-attach off for one shell
  THANOS_TMUX_STATE_DIR  state folder (default $XDG_STATE_HOME/thanos-tmux)
  THANOS_TMUX_CONFIG     config file (default $XDG_CONFIG_HOME/thanos-tmux/config.toml)
  THANOS_TMUX_LOG        log level: error, warn, info, debug
  THANOS_ROOT            start folder of thanos-main, thanos-dev, thanos-monitor
  NO_COLOR               no colour

Examples:
  thanos-tmux                 attach to the session of this folder (made when missing)
  thanos-tmux api             attach to the session api
  thanos-tmux last            back to the session used before
  thanos-tmux list            live and recorded sessions
  thanos-tmux doctor          check the installation";

/// Gives every terminal a persistent home in tmux.
#[derive(Debug, Parser)]
#[command(name = "thanos-tmux", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// Session to attach to (created when missing); without it, the name picked for
    /// the current folder. `main`, `dev` and `monitor` mean thanos-main and friends.
    pub name: Option<String>,

    /// Start folder of a new session
    #[arg(short = 'c', long = "dir", value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub dir: Option<PathBuf>,

    /// Make sure the session exists, do not attach (works without a terminal)
    #[arg(short, long)]
    pub detached: bool,

    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every subcommand takes.
#[derive(Debug, Args)]
pub struct Global {
    /// tmux server socket name (like tmux -L)
    #[arg(short = 'L', long = "socket-name", global = true, value_name = "NAME")]
    pub socket_name: Option<String>,
    /// tmux server socket path (like tmux -S)
    #[arg(short = 'S', long = "socket-path", global = true, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub socket_path: Option<PathBuf>,
    /// Mirror the log to stderr
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Say nothing but errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// When to use colour
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Attach to a session, creating it when missing
    #[command(
        after_help = "Examples:\n  thanos-tmux attach                 the session of this folder\n  thanos-tmux attach api -c ~/src/api  api, starting in that folder when made\n  thanos-tmux attach -d notes        make sure notes exists, without attaching\n  thanos-tmux attach last            a session named like a subcommand"
    )]
    Attach(AttachArgs),
    /// Jump to any session, lost session or project folder: type to filter
    #[command(
        after_help = "Keys: type to filter · ↑/↓ or Ctrl-p/Ctrl-n move · Enter go · Ctrl-x kill the session (asks) · Esc or Ctrl-c leave\n\nEntries: live sessions, then recorded sessions tmux lost (Enter restores them), then\nproject folders: git repositories under pick.roots (default the root, 3 levels down)\nand the folders zoxide knows (Enter makes the session named for the folder).\n--list prints kind, name and folder, tab-separated (the folders of the last search,\nsearched again in the background when it is over 10 seconds old); --list --json adds\nwindows, clients, last_attached and current.\n\nExamples:\n  thanos-tmux pick                  the picker (prefix g in the bundled tmux.conf)\n  thanos-tmux pick --list           live, lost, folder: one entry a line, for fzf\n  thanos-tmux pick --list --json    the same for scripts"
    )]
    Pick(PickArgs),
    /// Back to the session used before this one
    #[command(
        after_help = "Examples:\n  thanos-tmux last    from inside tmux: the session before this one\n  thanos-tmux last    outside: the session used last"
    )]
    Last,
    /// List live and recorded sessions
    #[command(visible_alias = "ls")]
    #[command(
        after_help = "Examples:\n  thanos-tmux list                  a table of live and recorded sessions\n  thanos-tmux list --json           the same for scripts\n  thanos-tmux list --names --dead   recorded sessions that tmux lost"
    )]
    List(ListArgs),
    /// Show tmux, server, state and sessions at a glance
    #[command(
        after_help = "Examples:\n  thanos-tmux status\n  thanos-tmux status --json | jq .sessions"
    )]
    Status(JsonArgs),
    /// Kill sessions (asks first on a terminal)
    #[command(
        after_help = "Examples:\n  thanos-tmux kill scratch\n  thanos-tmux kill --yes a b    no question (scripts)"
    )]
    Kill(KillArgs),
    /// Drop records of sessions that were closed on purpose
    #[command(
        after_help = "Examples:\n  thanos-tmux cleanup --dry-run   what would be dropped, and what kept\n  thanos-tmux cleanup"
    )]
    Cleanup(CleanupArgs),
    /// Drop records from the state file; tmux is not touched
    #[command(
        after_help = "Examples:\n  thanos-tmux forget old-project\n  thanos-tmux forget --dead    every record tmux has no session for"
    )]
    Forget(ForgetArgs),
    /// Print the session name that attach would pick for a folder
    #[command(after_help = "Examples:\n  thanos-tmux name\n  thanos-tmux name ~/src/api")]
    Name(NameArgs),
    /// Record the live layout of sessions into the state file
    #[command(
        after_help = "Examples:\n  thanos-tmux save          every live session\n  thanos-tmux save api"
    )]
    Save(NamesArgs),
    /// Recreate recorded sessions that tmux no longer has
    #[command(
        after_help = "Examples:\n  thanos-tmux restore api\n  thanos-tmux restore --all    every recorded session tmux lost"
    )]
    Restore(RestoreArgs),
    /// Print the shell integration snippet
    #[command(
        after_help = "Examples:\n  if command -v thanos-tmux >/dev/null; then eval \"$(thanos-tmux init zsh)\"; fi    in ~/.zshrc\n  if command -v thanos-tmux >/dev/null; then eval \"$(thanos-tmux init bash)\"; fi   in ~/.bashrc\n  command -q thanos-tmux; and thanos-tmux init fish | source                     in config.fish"
    )]
    Init(InitArgs),
    /// Print a completion script
    #[command(
        after_help = "Examples:\n  thanos-tmux completions fish > ~/.config/fish/completions/thanos-tmux.fish"
    )]
    Completions(ShellArg),
    /// Run a lifecycle or tmux hook event
    #[command(hide = true)]
    Hook(HookArgs),
    /// Start, stop and inspect the daemons of thanos-monitor
    #[command(
        after_help = "Examples:\n  thanos-tmux daemons status\n  thanos-tmux daemons restart web\n  thanos-tmux daemons status --line    for a status line: ● 3/3"
    )]
    Daemons(DaemonsArgs),
    /// Show where the config lives and what is in force
    #[command(
        after_help = "Examples:\n  thanos-tmux config init    write the documented defaults\n  thanos-tmux config show    what is in force\n  thanos-tmux config tmux-conf > ~/.config/thanos-tmux/tmux.conf"
    )]
    Config(ConfigArgs),
    /// Check the installation, one line per check
    #[command(after_help = "Examples:\n  thanos-tmux doctor")]
    Doctor,
}

#[derive(Debug, Args)]
pub struct AttachArgs {
    /// Session name (default: the name picked for the folder)
    pub name: Option<String>,
    /// Start folder of a new session
    #[arg(short = 'c', long = "dir", value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
    /// Make sure the session exists, do not attach (works without a terminal)
    #[arg(short, long)]
    pub detached: bool,
    /// The shell snippet's mode: silent, guarded, never fails loudly
    #[arg(long, hide = true)]
    pub auto: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Stable JSON for scripts
    #[arg(long, conflicts_with = "names")]
    pub json: bool,
    /// Live session names, one a line
    #[arg(long)]
    pub names: bool,
    /// With --names: recorded names that tmux does not have
    #[arg(long, requires = "names")]
    pub dead: bool,
}

#[derive(Debug, Args)]
pub struct PickArgs {
    /// Print the entries instead of showing the picker: kind, name and folder, tab-separated
    #[arg(long)]
    pub list: bool,
    /// With --list: stable JSON for scripts
    #[arg(long, requires = "list")]
    pub json: bool,
    /// Search the folders again and keep the result (what --list starts in the background)
    #[arg(long, hide = true, conflicts_with_all = ["list", "json"])]
    pub refresh: bool,
}

#[derive(Debug, Args)]
pub struct JsonArgs {
    /// Stable JSON for scripts
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct KillArgs {
    /// Sessions to kill
    #[arg(required = true, value_name = "NAME")]
    pub names: Vec<String>,
    /// Do not ask
    #[arg(short, long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct CleanupArgs {
    /// List what would be removed, remove nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Stable JSON for scripts
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ForgetArgs {
    /// Records to drop
    #[arg(
        value_name = "NAME",
        required_unless_present = "dead",
        conflicts_with = "dead"
    )]
    pub names: Vec<String>,
    /// Drop every record that tmux does not have
    #[arg(long)]
    pub dead: bool,
}

#[derive(Debug, Args)]
pub struct NameArgs {
    /// Folder (default: the current one)
    #[arg(value_hint = ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct NamesArgs {
    /// Sessions (default: all)
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Sessions to restore
    #[arg(value_name = "NAME", conflicts_with = "all")]
    pub names: Vec<String>,
    /// Restore every recorded session
    #[arg(long)]
    pub all: bool,
}

/// A shell thanos-tmux integrates with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Zsh,
    Bash,
    Fish,
}

#[derive(Debug, Args)]
pub struct ShellArg {
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    pub shell: Shell,
    /// Completion and logout step only; never attach
    #[arg(long)]
    pub no_attach: bool,
}

#[derive(Debug, Args)]
pub struct HookArgs {
    /// session-start, session-end, or a tmux hook event
    pub event: String,
    /// Event arguments
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DaemonsArgs {
    pub action: DaemonAction,
    /// Daemons (default: all)
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Stable JSON for scripts
    #[arg(long, conflicts_with_all = ["names_only", "line"])]
    pub json: bool,
    /// Configured daemon names, one a line
    #[arg(long = "names", conflicts_with = "line")]
    pub names_only: bool,
    /// A compact health string for a status line
    #[arg(long)]
    pub line: bool,
}

/// What `daemons` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DaemonAction {
    Start,
    Stop,
    Restart,
    Status,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    pub what: ConfigWhat,
}

/// What `config` shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ConfigWhat {
    /// Where the config file is
    Path,
    /// The config in force, defaults included
    Show,
    /// Write the documented default config to the config path (never over a file)
    Init,
    /// The bundled tmux.conf
    TmuxConf,
}

/// When to colour output (`--color`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}
