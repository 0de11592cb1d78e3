//! `kill NAME... [--yes]`: asks on a terminal, refuses without one.

use super::{manager, say, Global};
use crate::cli::KillArgs;
use crate::error::{exit, Error};
use crate::manager::check_name;
use anyhow::{bail, Result};
use std::io::{BufRead, IsTerminal};

pub fn run(global: &Global, args: &KillArgs) -> Result<i32> {
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
            return Ok(exit::ERROR);
        }
    }
    let missing = manager.kill_sessions(&names)?;
    for name in names.iter().filter(|n| !missing.contains(n)) {
        say(global, &format!("thanos-tmux: killed {name}"));
    }
    match missing.len() {
        0 => Ok(exit::OK),
        1 => Err(Error::NoSuchSession(missing[0].clone()).into()),
        _ => {
            eprintln!("thanos-tmux: no such sessions: {}", quoted(&missing));
            Ok(exit::NO_SESSION)
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
