//! One handler per subcommand; this file dispatches and builds what they share.

mod attach;
mod cleanup;
mod config;
mod daemons;
mod doctor;
mod hook;
mod kill;
mod list;
pub mod pick;
mod rc;
mod recover;
mod shell;
mod status;

use crate::cli::{Cli, Command, Global};
use crate::exit::Exit;
use crate::ui::{self, Paint};
use anyhow::Result;
use std::path::PathBuf;
use thanos_tmux::{Config, Environment, Socket, TmuxManager};

/// Runs the parsed command line; returns the exit code.
pub fn run(cli: Cli) -> Result<Exit> {
    let global = &cli.global;
    thanos_tmux::init_logging(&Environment::of_process(), global.verbose, global.quiet);
    match cli.command {
        None => {
            if let Some(word) = &cli.name {
                refuse_a_mistyped_command(global, word)?;
            }
            attach::run(
                global,
                &attach::from_top_level(cli.name, cli.dir, cli.detached),
            )
        }
        Some(Command::Attach(args)) => attach::run(global, &args),
        Some(Command::List(args)) => list::run(global, &args),
        Some(Command::Status(args)) => status::run(global, args.json),
        Some(Command::Kill(args)) => kill::run(global, &args),
        Some(Command::Cleanup(args)) => cleanup::run(global, &args),
        Some(Command::Forget(args)) => cleanup::forget(global, &args),
        Some(Command::Name(args)) => attach::name(global, &args),
        Some(Command::Config(args)) => config::run(args.what),
        Some(Command::Save(args)) => recover::save(global, &args),
        Some(Command::Restore(args)) => recover::restore(global, &args),
        Some(Command::Init(args)) => shell::init(&args),
        Some(Command::Completions(args)) => shell::completions(args.shell),
        Some(Command::Hook(args)) => hook::run(global, &args),
        Some(Command::Daemons(args)) => daemons::run(global, &args),
        Some(Command::Doctor) => doctor::run(global),
        Some(Command::Last) => attach::last(global),
        Some(Command::Pick(args)) => pick::run(global, &args),
    }
}

/// `thanos-tmux lsit` is a typo, not a new session: a bare word near a subcommand that
/// is no session yet (live, recorded or an alias) is refused, never created.
fn refuse_a_mistyped_command(global: &Global, word: &str) -> Result<()> {
    let Some(meant) = crate::cli::mistyped_command(word) else {
        return Ok(());
    };
    if manager(global, false)?.is_known_session(word)? {
        return Ok(());
    }
    Err(thanos_tmux::Error::Usage(crate::cli::mistyped_message(word, &meant)).into())
}

/// The manager for the selected server. `with_config` loads (and validates) the user
/// config; commands that do not depend on it run on defaults, so a bad config never
/// hides the sessions.
fn manager(global: &Global, with_config: bool) -> Result<TmuxManager> {
    let config = if with_config {
        load_config(global)?
    } else {
        Config::default()
    };
    manager_with(global, config)
}

/// The manager for the selected server, with a config in hand.
fn manager_with(global: &Global, config: Config) -> Result<TmuxManager> {
    let env = Environment::of_process();
    let socket = Socket::select(global.socket_name.clone(), global.socket_path.clone(), &env);
    Ok(TmuxManager::open(socket, config, env)?
        .with_session_name(forced_name())
        .with_root(non_empty_env("THANOS_ROOT").map(PathBuf::from)))
}

/// The user's config; each key it should not have costs one warning line (unless `-q`).
fn load_config(global: &Global) -> Result<Config> {
    let loaded = Config::load(&Environment::of_process())?;
    for warning in &loaded.warnings {
        say(global, &format!("thanos-tmux: warning: {warning}"));
    }
    Ok(loaded.config)
}

/// The session every terminal gets, from `THANOS_TMUX_SESSION`.
fn forced_name() -> Option<String> {
    non_empty_env("THANOS_TMUX_SESSION")
}

fn non_empty_env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.is_empty())
}

/// Colour for stdout.
fn paint_out(global: &Global) -> Paint {
    Paint::new(global.color, false)
}

/// Colour for stderr.
fn paint_err(global: &Global) -> Paint {
    Paint::new(global.color, true)
}

/// Prints JSON to stdout.
fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    ui::out(&text)?;
    Ok(())
}

/// Prints a message to stderr unless `-q`.
fn say(global: &Global, text: &str) {
    if !global.quiet {
        eprintln!("{text}");
    }
}
