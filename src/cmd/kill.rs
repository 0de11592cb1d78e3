//! `kill NAME... [--yes]`: asks on a terminal, refuses without one.

use super::{manager, say, Global};
use crate::cli::KillArgs;
use crate::exit::Exit;
use anyhow::{bail, Result};
use std::io::{BufRead, IsTerminal};
use thanos_tmux::check_name;
use thanos_tmux::Error;

pub fn run(global: &Global, args: &KillArgs) -> Result<Exit> {
    for name in &args.names {
        check_name(name)?;
    }
    let manager = manager(global, true)?;
    let names: Vec<String> = args
        .names
        .iter()
        .map(|n| {
            manager
                .resolve(Some(n), Some(std::path::Path::new("/")))
                .map(|t| t.name)
        })
        .collect::<Result<_>>()?;
    if !args.yes {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            bail!(
                "not a terminal: refusing to kill {} without --yes",
                quoted(&names)
            );
        }
        eprint!("thanos-tmux: kill {}? [y/N] ", quoted(&names));
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            say(global, "thanos-tmux: nothing killed");
            return Ok(Exit::Error);
        }
    }
    let missing = manager.kill_sessions(&names)?;
    for name in names.iter().filter(|n| !missing.contains(n)) {
        say(global, &format!("thanos-tmux: killed {name}"));
    }
    match missing.len() {
        0 => Ok(Exit::Ok),
        1 => Err(Error::NoSuchSession(missing[0].clone()).into()),
        _ => {
            eprintln!("thanos-tmux: no such sessions: {}", quoted(&missing));
            Ok(Exit::NoSession)
        }
    }
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}
