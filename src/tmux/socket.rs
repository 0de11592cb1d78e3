//! Which tmux server to talk to, and tmux's own check of the folder its sockets live in.

use crate::env::Environment;
use crate::error::Error;
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

/// Which tmux server to talk to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Socket {
    /// tmux's default server (`$TMUX_TMPDIR/tmux-UID/default`).
    Default,
    /// A named server (`tmux -L NAME`).
    Name(String),
    /// A socket path (`tmux -S PATH`).
    Path(PathBuf),
}

impl Socket {
    /// The server the command line picks: explicit flags (`-L NAME`, `-S PATH`), then
    /// `THANOS_TMUX_SOCKET` (a path when it holds `/`), then the server of `$TMUX` when
    /// inside tmux, else tmux's default.
    pub fn select(name: Option<String>, path: Option<PathBuf>, env: &Environment) -> Socket {
        if let Some(path) = path {
            return Socket::Path(path);
        }
        if let Some(name) = name {
            return Socket::Name(name);
        }
        if let Some(value) = env.text("THANOS_TMUX_SOCKET") {
            return if value.contains('/') {
                Socket::Path(PathBuf::from(value))
            } else {
                Socket::Name(value.to_string())
            };
        }
        if let Some(tmux) = env.text("TMUX") {
            if let Some(path) = tmux.split(',').next().filter(|p| !p.is_empty()) {
                return Socket::Path(PathBuf::from(path));
            }
        }
        Socket::Default
    }

    /// The socket file this selection resolves to, as tmux computes it.
    pub fn path(&self) -> PathBuf {
        match self {
            Socket::Path(path) => path.clone(),
            Socket::Default => socket_dir().join("default"),
            Socket::Name(name) => socket_dir().join(name),
        }
    }

    /// tmux's own check of the folder it keeps named sockets in (`tmux-UID` under
    /// `TMUX_TMPDIR`), made before anything is sent there: a real folder (no symlink),
    /// owned by this user, closed to others. Another user who made that folder first
    /// (the default `/tmp` is shared) could otherwise listen there and read the
    /// environment every client sends. A path given with `-S` is the user's own
    /// choice and, as by tmux, is not checked.
    pub(crate) fn check(&self) -> Result<(), Error> {
        use std::os::unix::fs::MetadataExt;
        if let Socket::Path(_) = self {
            return Ok(());
        }
        let dir = socket_dir();
        let meta = match std::fs::symlink_metadata(&dir) {
            Ok(meta) => meta,
            // No folder, no server: the binary makes it when it starts one.
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(unsafe_socket(&dir, &err.to_string())),
        };
        let uid = crate::os::uid();
        if !meta.is_dir() {
            return Err(unsafe_socket(&dir, "it is not a folder (a symlink?)"));
        }
        if meta.uid() != uid {
            return Err(unsafe_socket(
                &dir,
                &format!("it belongs to uid {}", meta.uid()),
            ));
        }
        if meta.mode() & 0o007 != 0 {
            return Err(unsafe_socket(
                &dir,
                &format!("other users may use it (mode {:o})", meta.mode() & 0o7777),
            ));
        }
        Ok(())
    }

    pub(super) fn args(&self) -> Vec<OsString> {
        match self {
            Socket::Default => Vec::new(),
            Socket::Name(name) => vec!["-L".into(), name.into()],
            Socket::Path(path) => vec!["-S".into(), path.into()],
        }
    }
}

/// `$TMUX_TMPDIR/tmux-UID`, the folder tmux keeps named sockets in: as tmux makes it,
/// with the base folder's real path and `tmux-UID` itself never followed as a link.
/// `TMUX_TMPDIR` is tmux's own variable, read here as tmux's client reads it: the
/// `tmux` this process starts would read the same.
fn socket_dir() -> PathBuf {
    let base = std::env::var_os("TMUX_TMPDIR")
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "/tmp".into());
    let base = std::fs::canonicalize(&base).unwrap_or_else(|_| PathBuf::from(base));
    let uid = crate::os::uid();
    base.join(format!("tmux-{uid}"))
}

fn unsafe_socket(dir: &Path, why: &str) -> Error {
    Error::Tmux {
        command: "connect".into(),
        message: format!(
            "refusing the socket folder {}: {why}; tmux refuses it too. Remove it, \
             or set TMUX_TMPDIR to a folder of your own",
            dir.display()
        ),
    }
}
