//! What the picker offers: sessions (live, and recorded ones tmux lost) and project
//! folders (git repositories under the configured roots, the folders zoxide knows),
//! one entry per folder. The folder scan streams and keeps its last result in a cache,
//! so that a picker can show the cache at once and the scan as it comes in.

use crate::os;
use serde::Serialize;
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A cache larger than this is not read (it would hold the first frame).
const CACHE_LIMIT: u64 = 16 << 20;

/// How long a search waits for zoxide.
const ZOXIDE_WAIT: Duration = Duration::from_secs(2);

/// A search hands over what it found at least this often.
const BATCH_EVERY: Duration = Duration::from_millis(30);

/// At most this many of zoxide's folders are taken, its most used.
const ZOXIDE_LIMIT: usize = 10_000;

/// What a picker entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A session tmux has now.
    Live,
    /// A recorded session tmux lost: choosing it restores it.
    Lost,
    /// A project folder without a session: choosing it makes one, named for the folder.
    Folder,
}

impl Kind {
    /// The word scripts see: `live`, `lost` or `folder`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Live => "live",
            Kind::Lost => "lost",
            Kind::Folder => "folder",
        }
    }
}

/// One picker entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// Live, lost or folder.
    pub kind: Kind,
    /// The session's name; `None` for a folder (its session is named when chosen).
    pub name: Option<String>,
    /// The session's start folder, or the project folder.
    pub folder: Option<String>,
    /// Windows (a lost session: those recorded); 0 for a folder.
    pub windows: u32,
    /// Clients attached now (second terminals' included).
    pub clients: u32,
    /// Unix time of the last attach, when known.
    pub last_attached: Option<i64>,
    /// The session of the client this runs in (inside tmux).
    pub current: bool,
}

impl Candidate {
    /// A project folder entry.
    pub fn folder(path: impl Into<String>) -> Candidate {
        Candidate {
            kind: Kind::Folder,
            name: None,
            folder: Some(path.into()),
            windows: 0,
            clients: 0,
            last_attached: None,
            current: false,
        }
    }
}

/// Appends a folder entry for each of `folders` that no entry has yet (no session
/// started there, not listed before), in their order.
pub fn add_folders(entries: &mut Vec<Candidate>, folders: Vec<String>) {
    let keep: Vec<bool> = {
        let mut seen = HashSet::with_capacity(entries.len() + folders.len());
        seen.extend(entries.iter().filter_map(|c| c.folder.as_deref()));
        folders
            .iter()
            .map(|folder| seen.insert(folder.as_str()))
            .collect()
    };
    let kept = folders.into_iter().zip(keep).filter(|(_, keep)| *keep);
    entries.extend(kept.map(|(folder, _)| Candidate::folder(folder)));
}

/// Where project folders come from, and the cache of the last scan.
#[derive(Clone, Debug)]
pub struct ProjectFolders {
    /// Folders searched for git repositories.
    pub roots: Vec<PathBuf>,
    /// How many levels below a root a repository may be.
    pub depth: usize,
    /// The file that keeps the last scan.
    pub cache: PathBuf,
}

/// The first field of the cache file: its format, which a change of it must change.
const CACHE_MAGIC: &str = "thanos-tmux pick cache 1";

/// The cache file: fields ended by NUL (no folder can hold one): the format, the depth,
/// how many roots, the roots, then the folders found. Read back without a parser
/// (thousands of folders are read at every start of the picker).
pub(crate) fn encode_cache(roots: &[String], depth: usize, folders: &[String]) -> Vec<u8> {
    let head = [
        CACHE_MAGIC.to_string(),
        depth.to_string(),
        roots.len().to_string(),
    ];
    let fields = head.iter().chain(roots).chain(folders);
    let mut out = Vec::with_capacity(folders.iter().map(|f| f.len() + 1).sum::<usize>() + 64);
    for field in fields {
        out.extend_from_slice(field.as_bytes());
        out.push(0);
    }
    out
}

/// The roots, depth and folders of a cache file; `None` when it is not one.
pub(crate) fn decode_cache(bytes: &[u8]) -> Option<(Vec<&str>, usize, Vec<String>)> {
    let text = std::str::from_utf8(bytes).ok()?.strip_suffix('\0')?;
    let mut fields = text.split('\0');
    if fields.next()? != CACHE_MAGIC {
        return None;
    }
    let depth = fields.next()?.parse().ok()?;
    let count: usize = fields.next()?.parse().ok()?;
    let roots: Vec<&str> = fields.by_ref().take(count).collect();
    if roots.len() != count {
        return None;
    }
    let folders = fields
        .filter(|f| !f.is_empty())
        .map(str::to_string)
        .collect();
    Some((roots, depth, folders))
}

/// Unicode folders only: a folder's path is shown, matched and handed to tmux as text.
fn text(path: &Path) -> Option<String> {
    path.to_str().map(str::to_string)
}

impl ProjectFolders {
    /// The folders of the last search of these roots at this depth, and how long ago it
    /// ended; `None` when there is none, it cannot be read, or it searched elsewhere.
    pub fn cached(&self) -> Option<(Vec<String>, Duration)> {
        let meta = std::fs::metadata(&self.cache).ok()?;
        if meta.len() > CACHE_LIMIT {
            return None;
        }
        let age = meta.modified().ok()?.elapsed().unwrap_or_default();
        let bytes = std::fs::read(&self.cache).ok()?;
        let (roots, depth, folders) = decode_cache(&bytes)?;
        let same = depth == self.depth && roots == self.root_texts();
        same.then_some((folders, age))
    }

    /// Keeps `folders` as the last search (written privately and atomically; a cache
    /// that cannot be written is only a slower next start).
    fn remember(&self, folders: &[String]) {
        let bytes = encode_cache(&self.root_texts(), self.depth, folders);
        if let Some(dir) = self.cache.parent() {
            let _ = os::create_private_dir(dir);
        }
        let fresh = self
            .cache
            .with_extension(format!("tmp.{}", std::process::id()));
        if os::write_private(&fresh, &bytes).is_err()
            || std::fs::rename(&fresh, &self.cache).is_err()
        {
            let _ = std::fs::remove_file(&fresh);
        }
    }

    fn root_texts(&self) -> Vec<String> {
        self.roots
            .iter()
            .map(|r| r.to_string_lossy().into_owned())
            .collect()
    }

    /// Searches every source now: the repositories under the roots (handed to `found`
    /// in batches as the walk goes), then zoxide's folders (asked meanwhile). Returns
    /// them all, zoxide's first, and keeps them as the cache.
    pub fn search(&self, found: &mut dyn FnMut(Vec<String>)) -> Vec<String> {
        let zoxide = std::thread::spawn(|| Self::zoxide(ZOXIDE_WAIT));
        let (mut scanned, mut batch, mut sent) = (Vec::new(), Vec::new(), Instant::now());
        self.scan(&mut |folder| {
            scanned.push(folder.clone());
            batch.push(folder);
            if sent.elapsed() >= BATCH_EVERY {
                found(std::mem::take(&mut batch));
                sent = Instant::now();
            }
        });
        found(batch);
        let mut all = zoxide.join().unwrap_or_default();
        found(all.clone());
        all.append(&mut scanned);
        self.remember(&all);
        all
    }

    /// Walks the roots for git repositories (a folder holding `.git`), calling `found`
    /// for each as it is found: hidden folders and symbolic links are not entered, nor
    /// is a repository below a root (its own subfolders are its business), and a
    /// folder that cannot be read is passed over.
    fn scan(&self, found: &mut dyn FnMut(String)) {
        for root in &self.roots {
            if is_repository(root) {
                if let Some(path) = text(root) {
                    found(path);
                }
            }
            walk(root, self.depth, found);
        }
    }

    /// The folders zoxide knows, most used first; empty when zoxide is not installed,
    /// fails, or has not answered within `limit` (a slow zoxide never holds a picker).
    fn zoxide(limit: Duration) -> Vec<String> {
        // The one program besides tmux that thanos-tmux runs.
        #[allow(clippy::disallowed_methods)]
        let child = Command::new("zoxide")
            .args(["query", "--list"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let Ok(mut child) = child else {
            return Vec::new();
        };
        let Some(stdout) = child.stdout.take() else {
            return Vec::new();
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let lines: Vec<String> = BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter(|line| line.starts_with('/'))
                .take(ZOXIDE_LIMIT)
                .collect();
            let _ = tx.send(lines);
        });
        let folders = rx.recv_timeout(limit).unwrap_or_default();
        let _ = child.kill();
        let _ = child.wait();
        folders
    }
}

fn is_repository(dir: &Path) -> bool {
    dir.join(".git").symlink_metadata().is_ok()
}

fn walk(dir: &Path, depth: usize, found: &mut dyn FnMut(String)) {
    if depth == 0 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut children: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| !e.file_name().as_encoded_bytes().starts_with(b"."))
        .map(|e| e.path())
        .collect();
    children.sort();
    for child in children {
        if is_repository(&child) {
            if let Some(path) = text(&child) {
                found(path);
            }
        } else {
            walk(&child, depth - 1, found);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(name: &str, folder: &str) -> Candidate {
        Candidate {
            kind: Kind::Live,
            name: Some(name.into()),
            folder: Some(folder.into()),
            windows: 1,
            clients: 0,
            last_attached: None,
            current: false,
        }
    }

    #[test]
    fn a_folder_with_a_session_or_listed_before_is_not_added_again() {
        let mut entries = vec![live("api", "/src/api")];
        let found = ["/src/api", "/src/web", "/src/web", "/src/cli"];
        add_folders(&mut entries, found.map(String::from).to_vec());
        let folders: Vec<_> = entries
            .iter()
            .map(|c| (c.kind, c.folder.clone().unwrap()))
            .collect();
        assert_eq!(
            folders,
            [
                (Kind::Live, "/src/api".to_string()),
                (Kind::Folder, "/src/web".to_string()),
                (Kind::Folder, "/src/cli".to_string()),
            ]
        );
    }

    #[test]
    fn the_scan_finds_repositories_within_the_depth_and_not_below_them() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        for dir in [
            "a/.git",
            "b/c/.git",
            "b/c/inner/.git",
            "d/e/f/.git",
            "d/e/f/g/.git",
            "h/i/j/k/.git",
            ".hidden/x/.git",
        ] {
            std::fs::create_dir_all(r.join(dir)).unwrap();
        }
        std::fs::write(r.join("b/worktree.git"), "").unwrap();
        std::fs::create_dir_all(r.join("wt")).unwrap();
        std::fs::write(r.join("wt/.git"), "gitdir: elsewhere").unwrap();
        std::os::unix::fs::symlink(r.join("a"), r.join("link")).unwrap();
        let folders = ProjectFolders {
            roots: vec![r.to_path_buf()],
            depth: 3,
            cache: r.join("cache.json"),
        };
        let mut found = Vec::new();
        folders.scan(&mut |f| found.push(f.strip_prefix(r.to_str().unwrap()).unwrap().to_string()));
        assert_eq!(found, ["/a", "/b/c", "/d/e/f", "/wt"]);
    }

    #[test]
    fn the_cache_keeps_the_last_search_of_the_same_roots_and_a_bad_cache_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let folders = ProjectFolders {
            roots: vec!["/src".into()],
            depth: 3,
            cache: dir.path().join("state/pick-folders"),
        };
        assert!(folders.cached().is_none());
        let kept = vec!["/src/a b".to_string(), "/src/\u{1b}[31mred".to_string()];
        folders.remember(&kept);
        let (cached, age) = folders.cached().unwrap();
        assert_eq!(cached, kept);
        assert!(age < Duration::from_secs(60));
        let deeper = ProjectFolders {
            depth: 4,
            ..folders.clone()
        };
        assert!(deeper.cached().is_none());
        let elsewhere = ProjectFolders {
            roots: vec!["/work".into()],
            ..folders.clone()
        };
        assert!(elsewhere.cached().is_none());
        std::fs::write(&folders.cache, "not a cache\0").unwrap();
        assert!(folders.cached().is_none());
    }
}
