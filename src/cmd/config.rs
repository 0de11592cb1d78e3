//! `config path|show|init|tmux-conf`.

use crate::cli::ConfigWhat;
use crate::exit::Exit;
use crate::ui;
use anyhow::{Context, Result};
use std::path::Path;
use thanos_tmux::{Config, Environment};

/// The documented default config, every key explained.
const EXAMPLE: &str = include_str!("../../config/config.toml");

/// Writes a new file, private to the user (0600), its folder made when missing; a file
/// already there is never touched.
fn write_new(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|err| match err.kind() {
            std::io::ErrorKind::AlreadyExists => {
                anyhow::anyhow!("it exists already; it was left as it is (thanos-tmux config show prints what is in force)")
            }
            _ => err.into(),
        })?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

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
        ConfigWhat::Init => {
            let path = Config::path(&Environment::of_process())
                .context("cannot find the config: HOME is not set")?;
            write_new(&path, EXAMPLE)
                .with_context(|| format!("could not write the config {}", path.display()))?;
            eprintln!("thanos-tmux: wrote {}", path.display());
        }
        ConfigWhat::TmuxConf => ui::out(TMUX_CONF)?,
    }
    Ok(Exit::Ok)
}
