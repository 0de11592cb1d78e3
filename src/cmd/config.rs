//! `config path|show|tmux-conf`.

use crate::cli::ConfigWhat;
use crate::exit::Exit;
use crate::ui;
use anyhow::{Context, Result};
use thanos_tmux::{Config, Environment};

/// The bundled tmux.conf.
pub const TMUX_CONF: &str = include_str!("../../config/tmux.conf");

pub fn run(what: ConfigWhat) -> Result<Exit> {
    match what {
        ConfigWhat::Path => {
            let path = Config::path(&Environment::of_process())
                .context("cannot find the config: HOME is not set")?;
            ui::out(&format!("{}\n", path.display()))?;
        }
        ConfigWhat::Show => {
            let loaded = Config::load(&Environment::of_process())?;
            for warning in &loaded.warnings {
                eprintln!("thanos-tmux: warning: {warning}");
            }
            let config = loaded.config;
            let origin = match loaded.path {
                Some(path) => format!("# in force: {} and defaults\n", path.display()),
                None => "# in force: defaults (no config file)\n".into(),
            };
            ui::out(&format!("{origin}{}", config.to_toml()))?;
        }
        ConfigWhat::TmuxConf => ui::out(TMUX_CONF)?,
    }
    Ok(Exit::Ok)
}
