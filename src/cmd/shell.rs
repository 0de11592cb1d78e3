//! `init SHELL` and `completions SHELL`: print embedded files; no config, no tmux.

use crate::cli::{InitArgs, Shell};
use crate::exit::Exit;
use crate::{snippet, ui};
use anyhow::Result;

pub fn init(args: &InitArgs) -> Result<Exit> {
    ui::out(&snippet::init(args.shell, !args.no_attach))?;
    Ok(Exit::Ok)
}

pub fn completions(shell: Shell) -> Result<Exit> {
    ui::out(&snippet::completion(shell))?;
    Ok(Exit::Ok)
}
