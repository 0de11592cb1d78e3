//! `init SHELL` and `completions SHELL`: print embedded files; no config, no tmux.

use crate::cli::{InitArgs, Shell};
use crate::{snippet, ui};
use anyhow::Result;

pub fn init(args: &InitArgs) -> Result<i32> {
    ui::out(&snippet::init(args.shell, !args.no_attach))?;
    Ok(0)
}

pub fn completions(shell: Shell) -> Result<i32> {
    ui::out(&snippet::completion(shell))?;
    Ok(0)
}
