//! Property tests of everything that parses outside input: the config file, tmux's `-F` output, names and folders
//! turned into session names, tmux-literal arguments and the state file.
//!
//! The number of cases comes from `PROPTEST_CASES` (default 256, kept short for CI):
//! `PROPTEST_CASES=20000 cargo test --lib properties` is a long run.

use crate::config::Config;
use crate::naming;
use crate::state::{
    Layout, PaneRecord, ServerIdentity, SessionRecord, State, Store, WindowRecord, VERSION,
};
use crate::tmux::format::{self, PaneRow, ServerId, SessionRow};
use crate::tmux::target;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// An environment with only a home, for `~` in config folders.
fn with_home() -> crate::Environment {
    crate::Environment::from_lookup(|key| (key == "HOME").then(|| "/home/prop".into()))
}

// ------------------------------------------------------------------ strategies

/// Text with the characters that matter to parsers mixed into arbitrary Unicode.
fn nasty_text(max: usize) -> impl Strategy<Value = String> {
    let c = prop_oneof![
        4 => any::<char>(),
        2 => prop::sample::select(vec![
            '\n', '\r', '\x1f', '\x1e', '\t', '\0', '#', '$', '%', '\\', '"', '\'', '{', '}',
            '[', ']', '=', ',', '.', ':', ';', '~', '/', '*', '-', '_', ' ', '(', ')', '`',
        ]),
        2 => proptest::char::range('0', '9'),
        2 => proptest::char::range('a', 'z'),
    ];
    proptest::collection::vec(c, 0..max).prop_map(|v| v.into_iter().collect())
}

/// A name as tmux prints it with `-F`: control characters come escaped, so none is
/// left (and so neither `\x1f` nor a newline).
fn printed_name() -> impl Strategy<Value = String> {
    nasty_text(24).prop_map(|s| s.chars().filter(|c| !c.is_control()).collect())
}

/// A folder: anything but NUL, newlines and separators included.
fn any_path() -> impl Strategy<Value = String> {
    nasty_text(40).prop_map(|s| s.replace('\0', ""))
}

/// A tmux layout string (`b25d,80x24,0,0{40x24,0,0,1,39x24,41,0,2}`).
fn layout_string() -> impl Strategy<Value = String> {
    "[0-9a-f]{4},[0-9]{1,3}x[0-9]{1,3},[0-9]{1,3},[0-9]{1,3}([{\\[][0-9x,]{0,30}[}\\]])?"
}

prop_compose! {
    fn server_id()(pid in any::<u32>(), start_time in any::<i64>()) -> ServerId {
        ServerId { pid, start_time }
    }
}

prop_compose! {
    fn session_row()(
        id in any::<u32>(),
        name in printed_name(),
        created in any::<i64>(),
        last_attached in any::<Option<i64>>(),
        attached in any::<u32>(),
        windows in any::<u32>(),
        managed in any::<bool>(),
        server in server_id(),
        path in any_path(),
        group in proptest::option::of(printed_name()),
        twin in any::<bool>(),
    ) -> SessionRow {
        SessionRow {
            id: format!("${id}"),
            name,
            created,
            last_attached,
            attached,
            windows,
            managed,
            server,
            path,
            group: group.filter(|g| !g.is_empty()),
            twin,
        }
    }
}

/// What tmux's `#{q:...}` makes of a text field.
fn q(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "|&;<>()$`\\\"'*?[# =%".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The line tmux prints for `SESSIONS`.
fn session_line(r: &SessionRow) -> String {
    let last = r.last_attached.map(|t| t.to_string()).unwrap_or_default();
    let managed = if r.managed { "1" } else { "" };
    let twin = if r.twin { "1" } else { "" };
    format!(
        "{}|{}|{}|{last}|{}|{}|{managed}|{}|{}|{}|{}|{twin}>\n",
        r.id,
        q(&r.name),
        r.created,
        r.attached,
        r.windows,
        r.server.pid,
        r.server.start_time,
        q(&r.path),
        q(r.group.as_deref().unwrap_or_default())
    )
}

prop_compose! {
    fn pane_row()(
        pane in any::<u32>(),
        session in printed_name(),
        session_id in any::<u32>(),
        server in server_id(),
        window_index in any::<u32>(),
        window_active in any::<bool>(),
        window_name in printed_name(),
        window_layout in layout_string(),
        window_width in any::<u32>(),
        window_height in any::<u32>(),
        pane_index in any::<u32>(),
        pane_pid in any::<u32>(),
        pane_command in any_path(),
        path in any_path(),
        twin in any::<bool>(),
    ) -> PaneRow {
        PaneRow {
            pane_id: format!("%{pane}"),
            session,
            session_id: format!("${session_id}"),
            server,
            window_index,
            window_active,
            window_name,
            window_layout,
            window_width,
            window_height,
            pane_index,
            pane_pid,
            pane_command,
            path,
            twin,
        }
    }
}

/// The line tmux prints for `PANES`.
fn pane_line(r: &PaneRow) -> String {
    let fields = [
        r.pane_id.clone(),
        q(&r.session),
        r.session_id.clone(),
        r.server.pid.to_string(),
        r.server.start_time.to_string(),
        r.window_index.to_string(),
        if r.window_active { "1" } else { "0" }.to_string(),
        q(&r.window_name),
        q(&r.window_layout),
        r.window_width.to_string(),
        r.window_height.to_string(),
        r.pane_index.to_string(),
        r.pane_pid.to_string(),
        q(&r.pane_command),
        q(&r.path),
        if r.twin { "1" } else { "" }.to_string(),
    ];
    fields.join("|") + ">\n"
}

// ------------------------------------------------------------------ config

const KEYS: &[&str] = &[
    "root",
    "prefix",
    "auto_attach",
    "auto_quit",
    "auto_restore",
    "skip_terminals",
    "ssh_auto_attach",
    "kill_on_logout",
    "restore_programs",
];

/// A TOML basic string holding `s`, escaped as TOML wants.
fn toml_string(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// String contents a config plausibly holds, good and bad.
fn config_words() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            "~",
            "~/src",
            "~user/x",
            "/abs/path",
            "rel/path",
            "thanos-",
            "work_",
            "-lead",
            "a.b",
            "a:b",
            "vim",
            "nvim",
            "/usr/bin/vim",
            "less -R",
            "{dir}",
            "{parent}-{repo}",
            "{host}",
            "{nope}",
            "{dir",
            "dir}",
            "~/src/*",
            "**/x",
            "vscode",
            "JetBrains",
            "never",
            "on-failure",
            "always",
            "sometimes",
            "sleep 1",
            "PORT",
            "1x",
        ])
        .prop_map(String::from),
        nasty_text(16),
    ]
}

/// One TOML value: right types, wrong types, and text that is not TOML at all.
fn toml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<bool>().prop_map(|b| b.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("3.5".to_string()),
        Just("1979-05-27T07:32:00Z".to_string()),
        config_words().prop_map(|s| toml_string(&s)),
        config_words().prop_map(|s| format!("'{}'", s.replace(['\'', '\n', '\r'], ""))),
        proptest::collection::vec(config_words(), 0..4).prop_map(|v| format!(
            "[{}]",
            v.iter()
                .map(|s| toml_string(s))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Just("[1, \"a\"]".to_string()),
        Just("{ a = \"b\" }".to_string()),
        Just("{ PORT = \"8080\", \"1x\" = \"y\" }".to_string()),
        nasty_text(12),
    ]
}

fn key_line(keys: &'static [&'static str]) -> impl Strategy<Value = String> {
    let key = prop_oneof![
        8 => prop::sample::select(keys).prop_map(String::from),
        1 => "[a-z_]{1,12}",
        1 => nasty_text(6),
    ];
    (key, toml_value()).prop_map(|(k, v)| format!("{k} = {v}"))
}

/// Config text shaped like TOML from the known keys: top-level keys, naming rules and
/// daemons, each with random (often wrong) values.
fn toml_shaped() -> impl Strategy<Value = String> {
    let top = proptest::collection::vec(key_line(KEYS), 0..6);
    let rule = proptest::collection::vec(key_line(&["path", "name"]), 0..3)
        .prop_map(|lines| format!("[[naming.rules]]\n{}", lines.join("\n")));
    let daemon = proptest::collection::vec(
        key_line(&["name", "command", "dir", "env", "restart"]),
        0..5,
    )
    .prop_map(|lines| format!("[[daemons]]\n{}", lines.join("\n")));
    let tables = proptest::collection::vec(
        prop_oneof![
            rule,
            daemon,
            Just("[naming]\nrules = []".to_string()),
            Just("[other]".to_string()),
        ],
        0..4,
    );
    (top, tables).prop_map(|(top, tables)| {
        let mut text = top.join("\n");
        for table in tables {
            text.push('\n');
            text.push_str(&table);
        }
        text.push('\n');
        text
    })
}

/// The checks every parse result must pass: no panic (the caller), errors of exactly
/// one line naming the file, and a config that parses renders back to itself.
fn check_config(text: &str) -> Result<(), TestCaseError> {
    match Config::parse(text, Path::new("x.toml"), &with_home()) {
        Err(err) => {
            let message = format!("{err:#}");
            prop_assert!(
                !message.contains('\n') && !message.contains('\r'),
                "error of more than one line: {:?}",
                message
            );
            prop_assert!(
                message.starts_with("x.toml"),
                "error that does not name the file: {:?}",
                message
            );
        }
        Ok((config, warnings)) => {
            for warning in &warnings {
                prop_assert!(
                    warning.starts_with("x.toml") && !warning.contains('\n'),
                    "a warning of more than one line or not naming the file: {:?}",
                    warning
                );
            }
            let rendered = config.to_toml();
            let again = Config::parse(&rendered, Path::new("shown.toml"), &with_home());
            prop_assert!(
                again
                    .as_ref()
                    .is_ok_and(|(c, w)| *c == config && w.is_empty()),
                "`config show` output does not parse back to the same config:\n{}\n{:?}",
                rendered,
                again.err().map(|e| format!("{e:#}"))
            );
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn config_never_panics_on_arbitrary_text(text in nasty_text(200)) {
        check_config(&text)?;
    }

    #[test]
    fn config_never_panics_on_toml_shaped_text(text in toml_shaped()) {
        check_config(&text)?;
    }
}

// ------------------------------------------------------------------ tmux -F output

proptest! {
    #[test]
    fn format_parsers_never_panic_on_arbitrary_output(text in nasty_text(300)) {
        let _ = format::parse_sessions(&text);
        let _ = format::parse_panes(&text);
        let _ = format::parse_built(&text);
        let _ = format::parse_server(&text);
        let _ = format::parse_version(&text);
    }

    #[test]
    fn session_rows_round_trip(rows in proptest::collection::vec(session_row(), 0..6)) {
        let text: String = rows.iter().map(session_line).collect();
        prop_assert_eq!(format::parse_sessions(&text), Ok(rows));
    }

    #[test]
    fn pane_rows_round_trip(rows in proptest::collection::vec(pane_row(), 0..6)) {
        let text: String = rows.iter().map(pane_line).collect();
        prop_assert_eq!(format::parse_panes(&text), Ok(rows));
    }
}

// ------------------------------------------------------------------ names and literals

/// What tmux makes of `#` in an argument it format-expands (format.c, the same from
/// 3.2 to master): `None` when something would be expanded or run (`#(`, `#{`, `#` and a
/// letter); `##` is `#`, but a run of `#`s before `[` (a style) is kept whole; `#` before
/// `}` or `,` is dropped; before anything else it stays.
fn tmux_reads(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'#' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let Some(&next) = b.get(i + 1) else {
            out.push(b'#');
            break;
        };
        match next {
            b'(' | b'{' => return None,
            c if c.is_ascii_alphabetic() => return None,
            b'#' => {
                let mut j = i + 2;
                while b.get(j) == Some(&b'#') {
                    j += 1;
                }
                if b.get(j) == Some(&b'[') {
                    out.extend_from_slice(&b[i..=j]);
                    i = j + 1;
                } else {
                    out.push(b'#');
                    i += 2;
                }
            }
            b'}' | b',' => {
                out.push(next);
                i += 2;
            }
            _ => {
                out.extend_from_slice(&[b'#', next]);
                i += 2;
            }
        }
    }
    String::from_utf8(out).ok()
}

proptest! {
    #[test]
    fn sanitized_names_are_valid_exact_targets(raw in nasty_text(120)) {
        let name = naming::sanitize(&raw, "thanos-main");
        prop_assert!(naming::check_typed(&name).is_ok(), "{:?} -> {:?}", raw, name);
        prop_assert!(!name.contains(['#', '$', '\\', '.', ':']), "{:?} -> {:?}", raw, name);
        prop_assert!(!name.is_empty() && !name.starts_with('-'));
        prop_assert!(name.chars().count() <= naming::MAX_LEN);
    }

    #[test]
    fn literal_arguments_reach_tmux_as_written(text in nasty_text(80)) {
        let lit = target::literal(&text);
        prop_assert_eq!(tmux_reads(&lit), Some(text.clone()), "{:?} -> {:?}", text, lit);
    }

    #[test]
    fn typed_names_that_pass_the_check_are_left_alone_by_tmux(name in nasty_text(30)) {
        if naming::check_typed(&name).is_ok() {
            prop_assert!(!name.is_empty() && !name.starts_with('-'));
            prop_assert!(!name.contains(['.', ':', '$', '\\']));
            prop_assert!(!name.chars().any(char::is_control));
        }
    }

    #[test]
    fn naming_rule_globs_never_panic_and_stay_fast(
        pattern in "[~/a-z*]{0,24}",
        path in "(/[a-z*]{0,4}){0,12}",
    ) {
        let start = Instant::now();
        let _ = naming::glob_matches(&pattern, Path::new(&path), Path::new("/home/u"));
        prop_assert!(start.elapsed() < Duration::from_millis(200), "{:?} on {:?}", pattern, path);
    }
}

/// A naming-rule glob is read from the config at every shell start, before any time
/// limit applies: a pattern with many `**` must not make matching explode (it grows as
/// folders^stars when each `**` backtracks over every split).
#[test]
fn many_double_stars_do_not_hang_the_match() {
    let pattern = format!("{}/nomatch", "/**".repeat(8));
    let path: String = (0..40).map(|i| format!("/d{i}")).collect();
    let (tx, rx) = std::sync::mpsc::channel();
    let (p, q) = (pattern.clone(), path.clone());
    // In a thread, so that a hang fails the test instead of stalling the run.
    std::thread::spawn(move || {
        let start = Instant::now();
        let matched = naming::glob_matches(&p, Path::new(&q), Path::new("/home/u"));
        let _ = tx.send((matched, start.elapsed()));
    });
    match rx.recv_timeout(Duration::from_secs(3)) {
        Ok((matched, took)) => {
            assert!(!matched);
            assert!(
                took < Duration::from_secs(1),
                "matching {pattern} against a 40-folder path took {took:?}"
            );
        }
        Err(_) => panic!("matching {pattern} against a 40-folder path took more than 3 s"),
    }
}

// ------------------------------------------------------------------ state file

prop_compose! {
    fn pane_record()(index in any::<u32>(), cwd in any_path(),
                     command in proptest::collection::vec(nasty_text(10), 0..3)) -> PaneRecord {
        PaneRecord { index, cwd, command }
    }
}

prop_compose! {
    fn window_record()(index in any::<u32>(), name in nasty_text(12), layout in layout_string(),
                       active in any::<bool>(), width in any::<u32>(), height in any::<u32>(),
                       panes in proptest::collection::vec(pane_record(), 0..3)) -> WindowRecord {
        WindowRecord { index, name, layout, active, width, height, panes }
    }
}

prop_compose! {
    fn session_record(name: String)(
        id in proptest::option::of(any::<u32>().prop_map(|n| format!("${n}"))),
        start_dir in proptest::option::of(any_path()),
        created in any::<i64>(),
        last_attached in any::<Option<i64>>(),
        last_detached in any::<Option<i64>>(),
        server in proptest::option::of((any_path(), any::<u32>(), any::<i64>())),
        layout in proptest::option::of(proptest::collection::vec(window_record(), 0..3)),
    ) -> SessionRecord {
        SessionRecord {
            name: name.clone(),
            id,
            start_dir,
            created,
            last_attached,
            last_detached,
            server: server.map(|(socket, pid, start_time)| ServerIdentity { socket, pid, start_time }),
            layout: layout.map(|windows| Layout { windows }),
        }
    }
}

fn state() -> impl Strategy<Value = State> {
    let names = proptest::collection::btree_set(nasty_text(12), 0..4);
    let sockets = proptest::collection::btree_set(any_path(), 1..3);
    (sockets, names)
        .prop_flat_map(|(sockets, names)| {
            let sessions: Vec<_> = names
                .into_iter()
                .map(|n| (Just(n.clone()), session_record(n)))
                .collect();
            (Just(sockets), sessions)
        })
        .prop_map(|(sockets, sessions)| {
            let mut state = State {
                version: VERSION,
                ..State::default()
            };
            for (i, socket) in sockets.into_iter().enumerate() {
                let server = state.server_mut(&socket);
                for (name, record) in &sessions {
                    if i == 0 || name.len() % 2 == 0 {
                        server.sessions.insert(name.clone(), record.clone());
                    }
                }
            }
            state.servers.retain(|_, s| !s.sessions.is_empty());
            state
        })
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::Builder::new()
        .prefix("ttprop")
        .tempdir_in("/tmp")
        .unwrap();
    let store = Store::at(dir.path().join("state"));
    (dir, store)
}

proptest! {
    #[test]
    fn the_state_file_round_trips_through_write_and_load(state in state()) {
        let (_dir, store) = temp_store();
        let wanted = state.clone();
        store.update(move |s| { *s = state; Ok(()) }).unwrap();
        let loaded = store.load().unwrap();
        prop_assert!(loaded.warning.is_none());
        prop_assert_eq!(loaded.state, wanted);
    }

    #[test]
    fn loading_any_bytes_never_panics_and_never_loses_them(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let (_dir, store) = temp_store();
        std::fs::create_dir_all(store.dir()).unwrap();
        std::fs::write(store.path(), &bytes).unwrap();
        match store.load() {
            // Parsed: the file is untouched.
            Ok(loaded) if loaded.warning.is_none() => {
                prop_assert_eq!(std::fs::read(store.path()).unwrap(), bytes);
            }
            // Corrupt: moved aside byte for byte, with a one-line warning.
            Ok(loaded) => {
                let warning = loaded.warning.unwrap();
                prop_assert!(!warning.contains('\n'), "{:?}", warning);
                let aside: Vec<PathBuf> = std::fs::read_dir(store.dir())
                    .unwrap()
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.to_string_lossy().contains(".corrupt-"))
                    .collect();
                prop_assert_eq!(aside.len(), 1);
                prop_assert_eq!(std::fs::read(&aside[0]).unwrap(), bytes);
            }
            // Refused (a newer version): one line, the file untouched.
            Err(err) => {
                let message = format!("{err:#}");
                prop_assert!(!message.contains('\n'), "{:?}", message);
                prop_assert_eq!(std::fs::read(store.path()).unwrap(), bytes);
            }
        }
    }
}

proptest! {
    #[test]
    fn the_pickers_cache_round_trips_and_any_bytes_read_safely(
        roots in proptest::collection::vec(nasty_text(20), 0..3),
        depth in 1usize..10,
        folders in proptest::collection::vec(nasty_text(40), 0..20),
        junk in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        // Folders never hold NUL, and a search never finds an empty one.
        let clean = |v: Vec<String>| -> Vec<String> {
            v.into_iter().map(|t| t.replace('\0', "")).collect()
        };
        let (roots, folders) = (clean(roots), clean(folders));
        let folders: Vec<String> = folders.into_iter().filter(|f| !f.is_empty()).collect();
        let bytes = crate::pick::encode_cache(&roots, depth, &folders);
        let (got_roots, got_depth, got_folders) = crate::pick::decode_cache(&bytes).unwrap();
        prop_assert_eq!(got_roots, roots.iter().map(String::as_str).collect::<Vec<_>>());
        prop_assert_eq!(got_depth, depth);
        prop_assert_eq!(got_folders, folders);
        let _ = crate::pick::decode_cache(&junk);
    }
}
