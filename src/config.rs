//! TEMPORARY STUB until the real config module lands.
use anyhow::Result;
use std::path::{Path, PathBuf};
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub root: Option<PathBuf>,
    pub prefix: String,
    pub auto_attach: bool,
    pub auto_quit: bool,
    pub auto_restore: bool,
    pub skip_terminals: Vec<String>,
    pub ssh_auto_attach: bool,
    pub kill_on_logout: Vec<String>,
    pub restore_programs: Vec<String>,
    pub naming_rules: Vec<NamingRule>,
    pub daemons: Vec<()>,
}
#[derive(Clone, Debug, PartialEq)]
pub struct NamingRule {
    pub path: String,
    pub name: String,
}
impl Default for Config {
    fn default() -> Self {
        Config {
            root: None,
            prefix: "thanos-".into(),
            auto_attach: true,
            auto_quit: false,
            auto_restore: true,
            skip_terminals: vec![],
            ssh_auto_attach: true,
            kill_on_logout: vec![],
            restore_programs: vec![],
            naming_rules: vec![],
            daemons: vec![],
        }
    }
}
impl Config {
    pub fn path() -> Option<PathBuf> {
        None
    }
    pub fn load() -> Result<(Config, Option<PathBuf>)> {
        Ok((Config::default(), None))
    }
    pub fn load_from(_p: &Path) -> Result<Config> {
        Ok(Config::default())
    }
    pub fn to_toml(&self) -> String {
        String::new()
    }
}
