use super::*;
use proptest::prelude::*;

fn store() -> (tempfile::TempDir, Store) {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::at(tmp.path().join("state"));
    (tmp, store)
}

fn record(name: &str) -> SessionRecord {
    SessionRecord {
        name: name.into(),
        created: 1,
        ..SessionRecord::default()
    }
}

fn add(store: &Store, name: &str) {
    store
        .update(|s| {
            s.server_mut("/sock")
                .sessions
                .insert(name.into(), record(name));
            Ok(())
        })
        .unwrap();
}

#[test]
fn missing_file_is_empty_and_not_created_by_reading() {
    let (_t, store) = store();
    assert!(store.load().unwrap().state.servers.is_empty());
    assert!(!store.path().exists());
}

#[test]
fn writes_are_private_and_round_trip() {
    let (_t, store) = store();
    add(&store, "api");
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(store.dir()), 0o700);
    assert_eq!(mode(&store.path()), 0o600);
    let state = store.load().unwrap().state;
    assert_eq!(state.version, VERSION);
    assert_eq!(state.session("/sock", "api"), Some(&record("api")));
}

#[test]
fn unchanged_state_is_not_rewritten() {
    let (_t, store) = store();
    add(&store, "api");
    let before = fs::metadata(store.path()).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    store.update(|_| Ok(())).unwrap();
    assert_eq!(
        fs::metadata(store.path()).unwrap().modified().unwrap(),
        before
    );
    assert!(!store.path().with_file_name("sessions.json.1").exists());
}

#[test]
fn three_generations_are_kept() {
    let (_t, store) = store();
    for name in ["a", "b", "c", "d", "e"] {
        add(&store, name);
    }
    let gen = |n: u32| store.path().with_file_name(format!("sessions.json.{n}"));
    let count = |n: u32| {
        let text = fs::read(gen(n)).unwrap();
        match parse(&text) {
            Ok(Parsed::Ok(s)) => s.servers["/sock"].sessions.len(),
            _ => panic!("generation {n} does not parse"),
        }
    };
    assert_eq!((count(1), count(2), count(3)), (4, 3, 2));
    assert!(!gen(4).exists());
}

#[test]
fn corrupt_file_is_moved_aside_with_a_warning() {
    let (_t, store) = store();
    add(&store, "api");
    fs::write(store.path(), b"{ not json").unwrap();
    let loaded = store.load().unwrap();
    assert!(loaded.state.servers.is_empty());
    let warning = loaded.warning.expect("a warning");
    assert!(warning.contains("corrupt"), "{warning}");
    let aside: Vec<_> = fs::read_dir(store.dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("sessions.json.corrupt-")
        })
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(fs::read(aside[0].path()).unwrap(), b"{ not json");
}

#[test]
fn newer_version_is_refused_and_left_untouched() {
    let (_t, store) = store();
    add(&store, "api");
    let newer = br#"{"version": 99, "servers": {"x": "a shape we do not know"}}"#;
    fs::write(store.path(), newer).unwrap();
    let err = store.load().err().expect("refused").to_string();
    assert!(err.contains("newer"), "{err}");
    let err = store.update(|_| Ok(())).expect_err("refused").to_string();
    assert!(err.contains(&store.path().display().to_string()), "{err}");
    assert_eq!(fs::read(store.path()).unwrap(), newer);
}

#[test]
fn a_folder_others_can_write_is_refused() {
    let (_t, store) = store();
    add(&store, "api");
    fs::set_permissions(store.dir(), fs::Permissions::from_mode(0o777)).unwrap();
    let err = store.load().err().expect("refused").to_string();
    assert!(err.contains("writable by other users"), "{err}");
}

#[test]
fn concurrent_writers_lose_nothing() {
    let (_t, store) = store();
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let store = store.clone();
            std::thread::spawn(move || add(&store, &format!("s{i}")))
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(
        store.load().unwrap().state.servers["/sock"].sessions.len(),
        16
    );
}

proptest! {
    #[test]
    fn parsing_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse(&bytes);
    }

    #[test]
    fn parsing_json_shaped_text_never_panics(text in r#"\{"version": ?[0-9]{1,3}(, "servers": \{("[a-z/]{0,8}": \{"sessions": \{\}\})?\})?\}"#) {
        let _ = parse(text.as_bytes());
    }
}

#[test]
fn temp_files_of_killed_writers_are_swept() {
    let (_t, store) = store();
    add(&store, "a");
    let stale = store.dir().join(".sessions.json.tmp.999999");
    fs::write(&stale, b"half a write").unwrap();
    add(&store, "b");
    assert!(!stale.exists());
    assert_eq!(
        store.load().unwrap().state.servers["/sock"].sessions.len(),
        2
    );
}
