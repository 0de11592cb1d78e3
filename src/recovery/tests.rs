use super::*;

fn window(index: u32, name: &str, active: bool, panes: &[(&str, &[&str])]) -> WindowRecord {
    WindowRecord {
        index,
        name: name.into(),
        layout: "b25d,80x24,0,0,1".into(),
        active,
        width: 80,
        height: 24,
        panes: panes
            .iter()
            .enumerate()
            .map(|(i, (cwd, cmd))| PaneRecord {
                index: i as u32,
                cwd: cwd.to_string(),
                command: cmd.iter().map(|s| s.to_string()).collect(),
            })
            .collect(),
    }
}

fn record(windows: Vec<WindowRecord>) -> SessionRecord {
    SessionRecord {
        name: "a#b".into(),
        start_dir: Some("/home".into()),
        layout: Some(Layout { windows }),
        ..SessionRecord::default()
    }
}

#[test]
fn restore_builds_windows_panes_programs_and_active_window() {
    let rec = record(vec![
        window(
            1,
            "edit",
            false,
            &[("/src", &["nvim", "my file.rs"]), ("/src/#x", &[])],
        ),
        window(2, "logs", true, &[("/var/log", &["tail", "-f", "syslog"])]),
    ]);
    let programs = vec!["nvim".to_string(), "tail".to_string()];
    let text = format!("{:?}", restore_batch(&rec, &programs, Path::new("/")));
    for needle in [
        r##""new-session", "-d", "-P", "-F", "#{session_id}>", "-s", "a##b", "-x", "80", "-y", "24", "-c", "/src", "-n", "edit""##,
        r#""split-window", "-t", "=a#b:", "-c", "/src/##x""#,
        r#""send-keys", "-t", "=a#b:", "-l", "--", "'nvim' 'my file.rs'""#,
        r#""new-window", "-t", "=a#b:", "-c", "/var/log", "-n", "logs""#,
        r#""select-window", "-t", "=a#b:+1""#,
        r#""set-option", "-t", "=a#b:", "@thanos-managed", "1""#,
    ] {
        assert!(text.contains(needle), "missing {needle} in {text}");
    }
}

#[test]
fn programs_not_allowed_are_not_run() {
    let rec = record(vec![window(0, "w", true, &[("/", &["rm", "-rf", "/"])])]);
    let text = format!("{:?}", restore_batch(&rec, &["vim".into()], Path::new("/")));
    assert!(!text.contains("send-keys"), "{text}");
}

#[test]
fn a_record_without_layout_still_gets_a_session() {
    let rec = SessionRecord {
        name: "x".into(),
        start_dir: Some("/tmp".into()),
        ..SessionRecord::default()
    };
    let text = format!("{:?}", restore_batch(&rec, &[], Path::new("/")));
    assert!(
        text.contains(
            r##""new-session", "-d", "-P", "-F", "#{session_id}>", "-s", "x", "-c", "/tmp""##
        ),
        "{text}"
    );
}

#[test]
fn only_layouts_with_a_good_checksum_are_sent() {
    // Real tmux layouts (3.3a output).
    assert!(layout_is_sound(
        "e553,200x50,0,0[200x25,0,0,0,200x24,0,26,1]"
    ));
    assert!(layout_is_sound(
        "655b,200x50,0,0[200x25,0,0,3,200x24,0,26,4]"
    ));
    assert!(!layout_is_sound("not a layout"));
    assert!(!layout_is_sound(
        "e554,200x50,0,0[200x25,0,0,0,200x24,0,26,1]"
    ));
    assert!(!layout_is_sound(""));
}
