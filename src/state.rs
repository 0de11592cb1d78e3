//! The state file: schema, location, lock, atomic write, generations, recovery.

use crate::env::Environment;
use crate::os;
use anyhow::{bail, Context as _, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The schema version this binary writes and reads.
pub(crate) const VERSION: u32 = 1;
const FILE: &str = "sessions.json";
/// Earlier generations kept beside the file (`sessions.json.1` … `.3`).
const GENERATIONS: u32 = 3;

/// The whole state file: records per server socket, so servers never mix.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct State {
    pub(crate) version: u32,
    #[serde(default)]
    pub(crate) servers: BTreeMap<String, ServerRecords>,
}

/// The records of one server socket, by session name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ServerRecords {
    #[serde(default)]
    pub(crate) sessions: BTreeMap<String, SessionRecord>,
}

/// What is remembered of one session.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct SessionRecord {
    pub(crate) name: String,
    /// tmux session id (`$N`), which finds the record after a rename.
    #[serde(default)]
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) start_dir: Option<String>,
    pub(crate) created: i64,
    #[serde(default)]
    pub(crate) last_attached: Option<i64>,
    #[serde(default)]
    pub(crate) last_detached: Option<i64>,
    /// The server that last held the session; `None` until one was observed.
    #[serde(default)]
    pub(crate) server: Option<ServerIdentity>,
    /// The last saved layout.
    #[serde(default)]
    pub(crate) layout: Option<Layout>,
}

/// Identity of a server process: a record is dropped only when this very server runs
/// without the session (a crash is not a close).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ServerIdentity {
    pub(crate) socket: String,
    pub(crate) pid: u32,
    pub(crate) start_time: i64,
}

/// A saved layout: windows in order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Layout {
    pub(crate) windows: Vec<WindowRecord>,
}

/// One saved window.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct WindowRecord {
    pub(crate) index: u32,
    pub(crate) name: String,
    pub(crate) layout: String,
    pub(crate) active: bool,
    /// Window size when saved, so the layout fits when it is rebuilt.
    #[serde(default)]
    pub(crate) width: u32,
    #[serde(default)]
    pub(crate) height: u32,
    pub(crate) panes: Vec<PaneRecord>,
}

/// One saved pane.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct PaneRecord {
    pub(crate) index: u32,
    pub(crate) cwd: String,
    /// Foreground program and its arguments; empty for a plain shell.
    #[serde(default)]
    pub(crate) command: Vec<String>,
}

impl State {
    /// The records of one socket, if any.
    pub(crate) fn server(&self, socket: &str) -> Option<&ServerRecords> {
        self.servers.get(socket)
    }

    /// The records of one socket, created when missing.
    pub(crate) fn server_mut(&mut self, socket: &str) -> &mut ServerRecords {
        self.servers.entry(socket.to_string()).or_default()
    }

    /// One record.
    pub(crate) fn session(&self, socket: &str, name: &str) -> Option<&SessionRecord> {
        self.server(socket)?.sessions.get(name)
    }

    /// Drops empty server entries so the file stays tidy.
    fn prune(&mut self) {
        self.servers.retain(|_, s| !s.sessions.is_empty());
    }
}

/// Where the state lives and how it is read and written.
#[derive(Clone, Debug)]
pub(crate) struct Store {
    dir: PathBuf,
}

/// Outcome of reading the file, with what a caller should tell the user.
pub(crate) struct Loaded {
    pub(crate) state: State,
    /// Set when a corrupt file was moved aside.
    pub(crate) warning: Option<String>,
}

impl Store {
    /// `$THANOS_TMUX_STATE_DIR`, `$XDG_STATE_HOME/thanos-tmux`, `~/.local/state/thanos-tmux`.
    pub(crate) fn locate(env: &Environment) -> Result<Store> {
        let dir = env
            .path("THANOS_TMUX_STATE_DIR")
            .or_else(|| env.path("XDG_STATE_HOME").map(|d| d.join("thanos-tmux")))
            .or_else(|| env.home().map(|h| h.join(".local/state/thanos-tmux")))
            .context("cannot find the state folder: HOME is not set")?;
        Ok(Store { dir })
    }

    /// A store in a given folder.
    #[cfg(any(test, feature = "internals"))]
    pub(crate) fn at(dir: impl Into<PathBuf>) -> Store {
        Store { dir: dir.into() }
    }

    /// The state folder.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The state file.
    pub(crate) fn path(&self) -> PathBuf {
        self.dir.join(FILE)
    }

    /// Reads the state without taking the lock (writes are atomic renames). A missing
    /// file is an empty state; a corrupt one is moved aside (under the lock); a file
    /// from a newer version is an error and stays untouched.
    pub(crate) fn load(&self) -> Result<Loaded> {
        self.check_dir()?;
        match read(&self.path())? {
            Parsed::Ok(state) => Ok(Loaded {
                state,
                warning: None,
            }),
            Parsed::Corrupt(_) => {
                let _lock = self.lock()?;
                let (state, warning) = self.read_or_recover()?;
                Ok(Loaded { state, warning })
            }
        }
    }

    /// Read-modify-write under an exclusive lock, so concurrent writers lose nothing.
    /// The file is rewritten only when `change` altered the state.
    pub(crate) fn update<T>(
        &self,
        change: impl FnOnce(&mut State) -> Result<T>,
    ) -> Result<(T, Option<String>)> {
        self.ensure_dir()?;
        let _lock = self.lock()?;
        let (mut state, warning) = self.read_or_recover()?;
        let before = state.clone();
        let out = change(&mut state)?;
        state.prune();
        if state != before {
            state.version = VERSION;
            self.write(&state)?;
        }
        Ok((out, warning))
    }

    /// The state as the file holds it; a corrupt file is moved aside and work goes on
    /// from the newest earlier generation that parses (else from an empty state).
    fn read_or_recover(&self) -> Result<(State, Option<String>)> {
        let path = self.path();
        let why = match read(&path)? {
            Parsed::Ok(state) => return Ok((state, None)),
            Parsed::Corrupt(why) => why,
        };
        let aside = path.with_file_name(format!("{FILE}.corrupt-{}", os::now()));
        fs::rename(&path, &aside)
            .with_context(|| format!("could not move corrupt {} aside", path.display()))?;
        let earlier = (1..=GENERATIONS).find_map(|n| {
            let generation = path.with_file_name(format!("{FILE}.{n}"));
            match read(&generation) {
                Ok(Parsed::Ok(state)) if generation.exists() => Some((state, generation)),
                _ => None,
            }
        });
        let (state, from) = match earlier {
            Some((state, generation)) => {
                // In place again, so that the next read finds it.
                self.write(&state)?;
                (state, format!("went on from {}", generation.display()))
            }
            None => (
                State {
                    version: VERSION,
                    ..State::default()
                },
                "started empty".to_string(),
            ),
        };
        let warning = format!(
            "state file {} was corrupt ({why}); moved it to {} and {from}",
            path.display(),
            aside.display()
        );
        Ok((state, Some(warning)))
    }

    fn write(&self, state: &State) -> Result<()> {
        let path = self.path();
        let tmp = self.dir.join(format!(".{FILE}.tmp.{}", std::process::id()));
        let text = serde_json::to_string_pretty(state).context("could not encode the state")?;
        let result = (|| -> std::io::Result<()> {
            let mut file = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)?;
            file.write_all(text.as_bytes())?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            self.keep_generations(&path);
            fs::rename(&tmp, &path)?;
            File::open(&self.dir)?.sync_all()
        })();
        if let Err(err) = result {
            let _ = fs::remove_file(&tmp);
            return Err(err).with_context(|| format!("could not write {}", path.display()));
        }
        self.remove_stale_temp_files();
        Ok(())
    }

    /// Temp files are only written under the lock we hold: any other one was left by a
    /// writer that was killed mid-write.
    fn remove_stale_temp_files(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        let prefix = format!(".{FILE}.tmp.");
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    /// `sessions.json` → `.1` → `.2` → `.3`, best effort: a failure here never stops
    /// the write itself.
    fn keep_generations(&self, path: &Path) {
        if !path.exists() {
            return;
        }
        let gen = |n: u32| path.with_file_name(format!("{FILE}.{n}"));
        for n in (1..GENERATIONS).rev() {
            let _ = fs::rename(gen(n), gen(n + 1));
        }
        if fs::hard_link(path, gen(1)).is_err() {
            let _ = fs::copy(path, gen(1));
        }
    }

    /// Holds an exclusive lock named `name` in the state folder until the file is
    /// dropped (restores take one, so two at once create nothing twice).
    pub(crate) fn exclusive(&self, name: &str) -> Result<File> {
        self.ensure_dir()?;
        self.lock_at(&self.dir.join(format!("{name}.lock")))
    }

    fn lock(&self) -> Result<File> {
        self.lock_at(&self.dir.join(format!("{FILE}.lock")))
    }

    fn lock_at(&self, path: &Path) -> Result<File> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)
            .with_context(|| format!("could not open lock file {}", path.display()))?;
        crate::os::lock(&file).with_context(|| format!("could not lock {}", path.display()))?;
        Ok(file)
    }

    fn ensure_dir(&self) -> Result<()> {
        match fs::metadata(&self.dir) {
            Ok(_) => self.check_dir(),
            Err(err) if err.kind() == ErrorKind::NotFound => os::create_private_dir(&self.dir)
                .with_context(|| format!("could not create state folder {}", self.dir.display())),
            Err(err) => Err(err)
                .with_context(|| format!("could not read state folder {}", self.dir.display())),
        }
    }

    /// Refuses a folder that other users can write or that another user owns, as ssh
    /// refuses such files. A missing folder is fine (nothing recorded yet).
    fn check_dir(&self) -> Result<()> {
        let meta = match fs::metadata(&self.dir) {
            Ok(meta) => meta,
            Err(err) if err.kind() == ErrorKind::NotFound => return Ok(()),
            Err(err) => {
                return Err(err)
                    .with_context(|| format!("could not read state folder {}", self.dir.display()))
            }
        };
        let dir = self.dir.display();
        if !meta.is_dir() {
            bail!("state folder {dir} is not a folder");
        }
        let uid = crate::os::uid();
        if meta.uid() != uid && meta.uid() != 0 {
            bail!(
                "state folder {dir} belongs to another user (uid {}); refusing to use it",
                meta.uid()
            );
        }
        if meta.permissions().mode() & 0o022 != 0 {
            bail!("state folder {dir} is writable by other users; run: chmod 700 {dir}");
        }
        Ok(())
    }
}

enum Parsed {
    Ok(State),
    Corrupt(String),
}

/// No state thanos-tmux writes comes near this (a thousand sessions with their layouts
/// take about 1 MiB); a larger file is not read into memory but treated as corrupt.
const MAX_STATE_BYTES: u64 = 16 << 20;

fn read(path: &Path) -> Result<Parsed> {
    if let Ok(meta) = fs::metadata(path) {
        if meta.len() > MAX_STATE_BYTES {
            return Ok(Parsed::Corrupt(format!(
                "{} MiB, larger than any state thanos-tmux writes",
                meta.len() >> 20
            )));
        }
    }
    let text = match fs::read(path) {
        Ok(text) => text,
        Err(err) if err.kind() == ErrorKind::NotFound => {
            return Ok(Parsed::Ok(State {
                version: VERSION,
                ..State::default()
            }))
        }
        Err(err) => {
            return Err(err)
                .with_context(|| format!("could not read state file {}", path.display()))
        }
    };
    parse(&text).map_err(|newer| {
        anyhow::anyhow!(
            "state file {} was written by a newer thanos-tmux (format version {newer}); \
             upgrade thanos-tmux (the file was left untouched)",
            path.display()
        )
    })
}

/// Parses the file's bytes. `Err(version)` for a file from a newer version.
fn parse(text: &[u8]) -> std::result::Result<Parsed, u64> {
    #[derive(Deserialize)]
    struct VersionOnly {
        version: u64,
    }
    match serde_json::from_slice::<State>(text) {
        Ok(state) if u64::from(state.version) > u64::from(VERSION) => Err(state.version.into()),
        Ok(state) if state.version == 0 => Ok(Parsed::Corrupt("version 0".into())),
        Ok(state) => Ok(Parsed::Ok(state)),
        Err(err) => match serde_json::from_slice::<VersionOnly>(text) {
            Ok(v) if v.version > u64::from(VERSION) => Err(v.version),
            _ => Ok(Parsed::Corrupt(err.to_string())),
        },
    }
}

#[cfg(test)]
mod tests;
