use super::*;
use proptest::prelude::*;

/// What `#{q:...}` makes of a value: tmux 3.2 to 3.6, and 3.7 on (newline, tab too).
fn quote(value: &str, newer: bool) -> String {
    let special = if newer {
        "|&;<>()$`\\\"'*?[# =%\n\t"
    } else {
        "|&;<>()$`\\\"'*?[# =%"
    };
    let mut out = String::new();
    for c in value.chars() {
        if special.contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// What tmux 3.4 and 3.5 do to a command's output line (`utf8_strvis` with
/// `VIS_OCTAL|VIS_CSTYLE|VIS_NOSLASH`): UTF-8 and visible ASCII stay, as do space,
/// tab, newline and `\`; `$` before a letter, `_` or `{` gets a `\`; other control
/// characters become C escapes or octal.
fn vis(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    for (k, &c) in chars.iter().enumerate() {
        let next = chars.get(k + 1).copied();
        if ('\u{80}'..='\u{9f}').contains(&c) {
            // No width: tmux escapes each byte of it.
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\{b:03o}"));
            }
        } else if !c.is_ascii() {
            out.push(c);
        } else if c == '$' && next.is_some_and(|n| n.is_ascii_alphabetic() || n == '_' || n == '{')
        {
            out.push_str("\\$");
        } else if c.is_ascii_graphic() || matches!(c, ' ' | '\t' | '\n') {
            out.push(c);
        } else {
            match c {
                '\r' => out.push_str("\\r"),
                '\x08' => out.push_str("\\b"),
                '\x07' => out.push_str("\\a"),
                '\x0b' => out.push_str("\\v"),
                '\x0c' => out.push_str("\\f"),
                _ => out.push_str(&format!("\\{:03o}", c as u32)),
            }
        }
    }
    out
}

/// The three ways a supported tmux prints the same records.
#[derive(Clone, Copy, Debug)]
enum Printer {
    /// 3.2a, 3.3a, 3.6b: quoted, printed raw.
    Raw,
    /// 3.4, 3.5a: quoted, then passed through vis.
    Vis,
    /// 3.7 and master: newline and tab quoted too, printed raw.
    Newer,
}

/// The output tmux prints for `rows` of text fields under a format of `#{q:...}|...>`.
fn print(rows: &[Vec<String>], printer: Printer) -> String {
    let mut out = String::new();
    for row in rows {
        let quoted: Vec<String> = row
            .iter()
            .map(|f| quote(f, matches!(printer, Printer::Newer)))
            .collect();
        let line = quoted.join("|") + ">";
        match printer {
            Printer::Vis => out.push_str(&vis(&line)),
            _ => out.push_str(&line),
        }
        out.push('\n');
    }
    out
}

const PRINTERS: [Printer; 3] = [Printer::Raw, Printer::Vis, Printer::Newer];

#[test]
fn every_printer_gives_back_the_exact_fields() {
    let rows = vec![
        vec!["api".to_string(), "/src/api".to_string()],
        vec!["a|b>c".into(), "/tmp/x\x1fy\nz>\n|".into()],
        vec!["$HOME \\$x \\".into(), "\\037 and \x1f and \\\\$_".into()],
        vec![
            "".into(),
            "\r\x07\x08\x0b\x0c\x7f\x01 é 😀 #[fg=red] ##".into(),
        ],
    ];
    for printer in PRINTERS {
        let out = print(&rows, printer);
        assert_eq!(records(&out).unwrap(), rows, "{printer:?}: {out:?}");
    }
}

#[test]
fn sessions_parse_from_their_format() {
    let out = "$1|api|100||1|2|1|42|99|/src/api||>\n$2|x\\|y|100|200|0|1||42|99|/tmp\\ a|api|1>\n";
    let rows = parse_sessions(out).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].name, "api");
    assert_eq!(rows[0].last_attached, None);
    assert_eq!(
        rows[0].server,
        ServerId {
            pid: 42,
            start_time: 99
        }
    );
    assert!(rows[0].managed);
    assert_eq!(rows[1].name, "x|y");
    assert_eq!(rows[1].last_attached, Some(200));
    assert!(!rows[1].managed);
    assert_eq!(rows[1].path, "/tmp a");
    assert_eq!((rows[0].group.as_deref(), rows[0].twin), (None, false));
    assert_eq!(
        (rows[1].group.as_deref(), rows[1].twin),
        (Some("api"), true)
    );
}

#[test]
fn what_is_not_whole_records_is_unreadable_never_empty() {
    assert_eq!(parse_sessions("").unwrap(), []);
    // tmux 3.4's view of the old `\x1f` separator, a half record, a wrong field count.
    assert!(parse_sessions("$1\\037api\\037100\n").is_err());
    assert!(parse_sessions("$1|api|100").is_err());
    assert!(parse_sessions("$1|api>\n").is_err());
    assert!(parse_sessions("x1|api|100||1|2|1|42|99|/a||>\n").is_err());
    assert!(
        parse_sessions("$1|api|100||1|2|1|42|99|/a>\n").is_err(),
        "old field count"
    );
    assert!(parse_names("a|>\nb").is_err());
    assert_eq!(
        parse_names("a|>\na~2|1>\n").unwrap(),
        ["a"],
        "a second terminal's"
    );
    assert!(records("trailing \\").is_err());
}

#[test]
fn identities_and_servers() {
    let built = parse_built("$4>\n$5>\na\\ b|$3|10|20>\n").unwrap();
    assert_eq!(built.created, ["$4", "$5"]);
    assert_eq!(
        built.sessions,
        [(
            "a b".to_string(),
            (
                "$3".to_string(),
                ServerId {
                    pid: 10,
                    start_time: 20
                }
            )
        )]
    );
    assert!(parse_built("x>\n").is_err());
    assert!(parse_built("a|b>\n").is_err());
    let info = parse_server("7|8|3.5a>\n").unwrap();
    assert_eq!(
        info.id,
        ServerId {
            pid: 7,
            start_time: 8
        }
    );
    assert_eq!(info.version, "3.5a");
    assert!(parse_server("7>\n").is_err());
    assert_eq!(
        parse_pane_pids("42|a\\;b>\n").unwrap(),
        [(42, "a;b".to_string())]
    );
}

#[test]
fn panes_parse_with_odd_paths_and_programs() {
    let pane = |id: &str, path: &str| {
        format!("{id}|api|$1|7|8|1|1|edit|b25d,80x24,0,0,1|80|24|0|42|vim|{path}|>\n")
    };
    let rows = parse_panes(&(pane("%1", "/a\nb\x1fc") + &pane("%2", "/d"))).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].path, "/a\nb\x1fc");
    assert_eq!(rows[0].window_name, "edit");
    assert_eq!(rows[0].pane_pid, 42);
    assert!(rows[0].window_active);
    assert_eq!(rows[1].path, "/d");
    assert!(parse_panes("junk\n").is_err());
    // A dead pane as tmux master prints it: no pid, no folder.
    let dead = "%3|api|$1|7|8|2|0|sleeper|b25e,80x24,0,0,1|80|24|0||exit||>\n";
    let rows = parse_panes(dead).unwrap();
    assert_eq!((rows[0].pane_pid, rows[0].path.as_str()), (0, ""));
}

#[test]
fn parses_versions() {
    assert_eq!(parse_version("tmux 3.3a"), Some((3, 3)));
    assert_eq!(parse_version("tmux 3.2"), Some((3, 2)));
    assert_eq!(parse_version("tmux next-3.5"), Some((3, 5)));
    assert_eq!(parse_version("tmux 3.2-rc2"), Some((3, 2)));
    assert_eq!(parse_version("tmux 2.9a"), Some((2, 9)));
    assert!(parse_version("tmux master").unwrap() >= (3, 2));
    assert_eq!(parse_version("bash 5"), None);
}

/// Text as outside input may hold it: any character but NUL, control characters,
/// backslashes, our separators and the escapes tmux writes weighted in.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<char>()
            .prop_filter("no NUL", |c| *c != '\0')
            .prop_map(String::from),
        Just("|".to_string()),
        Just(">".to_string()),
        Just("\n".to_string()),
        Just("\\".to_string()),
        Just("$".to_string()),
        Just("\\037".to_string()),
        Just("\x1f".to_string()),
        (0u8..0x20)
            .prop_filter("no NUL", |b| *b != 0)
            .prop_map(|b| char::from(b).to_string()),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|p| p.concat())
}

proptest! {
    #[test]
    fn no_value_forges_a_field_or_a_record_on_any_version(
        rows in proptest::collection::vec(proptest::collection::vec(hostile_text(), 1..4), 0..6)
    ) {
        for printer in PRINTERS {
            let out = print(&rows, printer);
            prop_assert_eq!(&records(&out).unwrap(), &rows, "{:?}: {:?}", printer, out);
        }
    }

    #[test]
    fn any_answer_at_all_parses_without_panic(text in any::<String>()) {
        let _ = records(&text);
        let _ = parse_sessions(&text);
        let _ = parse_panes(&text);
    }

}

#[test]
fn daemon_rows_parse() {
    let rows = parse_daemon_rows("%3|1|my\\ bot|1|3|42||2||10,20>\n").unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].daemon, "my bot");
    assert!(rows[0].dead);
    assert_eq!(rows[0].exit_status, Some(3));
    assert_eq!(rows[0].restarts, 2);
    assert_eq!(rows[0].failures, [10, 20]);
    assert!(parse_daemon_rows("garbage").is_err());
}
