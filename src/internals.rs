//! Thin wrappers around internal functions, for the micro-benchmarks (`benches/micro.rs`)
//! only: built with the `internals` feature, hidden from the docs, not an API. Each
//! wrapper calls one function of the crate and returns a number drawn from its result,
//! so that the work cannot be optimised away; the generators make realistic input at a
//! given number of sessions.

use crate::config::Config;
use crate::manager::TmuxManager;
use crate::naming::{self, Context};
use crate::state::{Layout, PaneRecord, ServerIdentity, SessionRecord, State, Store, WindowRecord};
use crate::tmux::{format, Socket, Tmux};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

// ---------------------------------------------------------------------------------------
// Parsing what tmux prints

/// `format::records`: the number of records.
pub fn records(output: &str) -> usize {
    format::records(output).expect("records").len()
}

/// `format::parse_sessions`: the number of sessions.
pub fn parse_sessions(output: &str) -> usize {
    format::parse_sessions(output)
        .expect("parse_sessions")
        .len()
}

/// `format::parse_names`: the number of names.
pub fn parse_names(output: &str) -> usize {
    format::parse_names(output).expect("parse_names").len()
}

/// `format::parse_panes`: the number of panes.
pub fn parse_panes(output: &str) -> usize {
    format::parse_panes(output).expect("parse_panes").len()
}

/// What tmux 3.3 prints for `list-sessions -F format::SESSIONS` with `n` sessions:
/// names and folders of every shape a user gives (spaces, dots, quotes, non-ASCII),
/// quoted as `#{q:...}` quotes them; one session in three never attached, two in three
/// recorded (`@thanos-managed`).
pub fn sessions_output(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let name = session_name(i);
        let last = if i % 3 == 0 {
            String::new()
        } else {
            (1_700_000_500 + i).to_string()
        };
        let managed = if i % 3 == 2 { "" } else { "1" };
        let _ = writeln!(
            out,
            "${i}|{}|{}|{last}|{}|{}|{managed}|4242|1700000000|{}||>",
            quote(&name),
            1_700_000_000 + i,
            usize::from(i % 5 == 0),
            1 + i % 4,
            quote(&folder(i)),
        );
    }
    out
}

/// What tmux prints for `list-sessions -F format::NAMES` with `n` sessions.
pub fn names_output(n: usize) -> String {
    (0..n)
        .map(|i| format!("{}|>\n", quote(&session_name(i))))
        .collect()
}

/// What tmux prints for `list-panes -a -F format::PANES` with `n` sessions of 3 panes
/// each: a window of one pane (an editor) and a window split in two (shells).
pub fn panes_output(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let name = quote(&session_name(i));
        let dir = quote(&folder(i));
        let panes = [
            (1, 1, "editor", "b25f,80x24,0,0,0", 0, "nvim"),
            (
                2,
                0,
                "shell",
                "c3a1,80x24,0,0{40x24,0,0,1,39x24,41,0,2}",
                0,
                "zsh",
            ),
            (
                2,
                0,
                "shell",
                "c3a1,80x24,0,0{40x24,0,0,1,39x24,41,0,2}",
                1,
                "zsh",
            ),
        ];
        for (k, (window, active, wname, layout, pane, command)) in panes.into_iter().enumerate() {
            let _ = writeln!(
                out,
                "%{}|{name}|${i}|4242|1700000000|{window}|{active}|{wname}|{}|80|24|{pane}|{}|\
                 {command}|{dir}|>",
                3 * i + k,
                quote(layout),
                10_000 + 3 * i + k,
            );
        }
    }
    out
}

/// Session `i` of the generated servers.
fn session_name(i: usize) -> String {
    match i % 4 {
        0 => format!("proj-{i:04}"),
        1 => format!("api.v{i}"),
        2 => format!("notes {i}"),
        _ => format!("café-{i}"),
    }
}

/// The folder session `i` started in.
fn folder(i: usize) -> String {
    match i % 3 {
        0 => format!("/home/dev/src/proj-{i:04}"),
        1 => format!("/home/dev/Work Documents/client's app {i}"),
        _ => format!("/srv/repos/service_{i}/main"),
    }
}

/// `#{q:...}` as tmux 3.3 applies it: a `\` before each character it quotes.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "|&;<>()$`\\\"'*?[# =%".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Live sessions merged with recorded ones

/// A state folder holding `n` recorded sessions, and a manager whose socket has no
/// server, so that `list_sessions` merges the records with no live session and no tmux
/// is needed. Removed on drop.
pub struct Recorded {
    manager: TmuxManager,
    store: Store,
    dir: PathBuf,
}

impl Drop for Recorded {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `n` recorded sessions of 2 windows and 3 panes each, written by `Store::update`.
pub fn recorded(n: usize) -> Recorded {
    let dir = scratch_dir("recorded");
    let socket = dir.join("no-server");
    let key = socket.to_string_lossy().into_owned();
    let store = Store::at(dir.join("state"));
    store
        .update(|state: &mut State| {
            let server = state.server_mut(&key);
            for i in 0..n {
                let record = record(i, &key);
                server.sessions.insert(record.name.clone(), record);
            }
            Ok(())
        })
        .expect("writing the state");
    let manager = TmuxManager::from_parts(
        Tmux::new(Socket::Path(socket), false),
        store.clone(),
        Config::default(),
    );
    Recorded {
        manager,
        store,
        dir,
    }
}

fn record(i: usize, socket: &str) -> SessionRecord {
    let dir = folder(i);
    let window = |index: u32, name: &str, panes: u32| WindowRecord {
        index,
        name: name.into(),
        layout: "c3a1,80x24,0,0{40x24,0,0,1,39x24,41,0,2}".into(),
        active: index == 1,
        width: 80,
        height: 24,
        panes: (0..panes)
            .map(|p| PaneRecord {
                index: p,
                cwd: dir.clone(),
                command: if p == 0 && index == 1 {
                    vec!["nvim".into(), "src/main.rs".into()]
                } else {
                    Vec::new()
                },
            })
            .collect(),
    };
    SessionRecord {
        name: session_name(i),
        id: Some(format!("${i}")),
        start_dir: Some(dir.clone()),
        created: 1_700_000_000 + i as i64,
        last_attached: Some(1_700_000_500 + i as i64),
        last_detached: Some(1_700_000_900 + i as i64),
        server: Some(ServerIdentity {
            socket: socket.into(),
            pid: 4242,
            start_time: 1_700_000_000,
        }),
        layout: Some(Layout {
            windows: vec![window(1, "editor", 1), window(2, "shell", 2)],
        }),
    }
}

/// `TmuxManager::list_sessions`: the sessions listed. The first call reads the state
/// file; the manager keeps it, so later calls cost a `connect` that finds no server
/// and the merge of the records (`manager::merge`).
pub fn list_recorded(fixture: &Recorded) -> usize {
    fixture
        .manager
        .list_sessions()
        .expect("list_sessions")
        .len()
}

/// `Store::load`: reads and parses the state file; the number of records.
pub fn load_state(fixture: &Recorded) -> usize {
    fixture
        .store
        .load()
        .expect("load")
        .state
        .servers
        .values()
        .map(|s| s.sessions.len())
        .sum()
}

// ---------------------------------------------------------------------------------------
// Naming

/// Folder names as users make them, `n` of them, for `sanitize_names`.
pub fn folder_names(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| match i % 5 {
            0 => format!("proj-{i:04}"),
            1 => format!("My Project ({i}) copy"),
            2 => format!("über.api.v{i}"),
            3 => format!("--{i}:weird//name"),
            _ => format!("{}{i}", "long-folder-name-".repeat(5)),
        })
        .collect()
}

/// `naming::sanitize` of every name: the total length of the results.
pub fn sanitize_names(names: &[String]) -> usize {
    names
        .iter()
        .map(|n| naming::sanitize(n, "thanos-main").len())
        .sum()
}

/// A folder inside a git checkout whose name, `api`, is already recorded for another
/// checkout, among `n` recorded sessions: the pick walks up to the checkout, finds the
/// collision and settles on `api-src`. Removed on drop.
pub struct Naming {
    dir: PathBuf,
    cwd: PathBuf,
    home: PathBuf,
    recorded: BTreeMap<String, PathBuf>,
}

impl Drop for Naming {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The folders of a `Naming`, and its `n` recorded sessions (at least the colliding
/// `api`).
pub fn naming(n: usize) -> Naming {
    let dir = scratch_dir("naming");
    let home = dir.join("home");
    let checkout = home.join("src").join("api");
    let cwd = checkout.join("internal").join("handlers");
    std::fs::create_dir_all(checkout.join(".git")).expect("making the checkout");
    std::fs::create_dir_all(&cwd).expect("making the checkout");
    let mut recorded: BTreeMap<String, PathBuf> = (1..n)
        .map(|i| {
            (
                format!("proj-{i:04}"),
                home.join("src").join(format!("proj-{i:04}")),
            )
        })
        .collect();
    recorded.insert("api".into(), home.join("work").join("api"));
    Naming {
        dir,
        cwd,
        home,
        recorded,
    }
}

/// `naming::pick` for the folder of a `Naming`: the length of the name picked.
pub fn pick_name(fixture: &Naming) -> usize {
    let ctx = Context {
        home: &fixture.home,
        root: &fixture.home,
        prefix: "thanos-",
        rules: &[],
        host: "bench",
    };
    let pick = naming::pick(&fixture.cwd, &ctx, |name| {
        fixture.recorded.get(name).cloned()
    });
    debug_assert_eq!(pick.name, "api-src");
    pick.name.len()
}

/// A fresh folder under the system's temporary folder.
fn scratch_dir(what: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "thanos-micro-{what}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("making a scratch folder");
    dir
}
