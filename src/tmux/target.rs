//! Exact tmux targets and literal arguments: never a bare name, never an expanded `#`.

/// Exact session target: `=NAME` matches only NAME, never `NAME2` by prefix. Only for
/// commands that take a session (`has-session`, `kill-session`): where a window or pane
/// is taken, tmux reads `=@1` as window `@1` of whichever session has it, so those
/// get `session_window`.
pub(crate) fn session(name: &str) -> String {
    format!("={name}")
}

/// False for a name tmux cannot target: one starting with `$` is always read as a
/// session id (`=$1:` is the session whose id is `$1`, whatever its name). Such a
/// session is only ever reached through `-a` lists, never by a target.
pub(crate) fn addressable(name: &str) -> bool {
    !name.starts_with('$')
}

/// What makes `name` a session name tmux would alter or refuse (`None`: nothing):
/// empty, a leading `-`, `.` and `:` (rewritten to `_`), `$` and `\` (rewritten by
/// tmux's command parser), control characters.
pub(crate) fn name_problem(name: &str) -> Option<&'static str> {
    Some(if name.is_empty() {
        "is empty"
    } else if name.starts_with('-') {
        "starts with '-'"
    } else if name.contains(['.', ':']) {
        "holds '.' or ':', which tmux rewrites"
    } else if name.contains(['$', '\\']) {
        "holds '$' or '\\', which tmux rewrites"
    } else if name.chars().any(char::is_control) {
        "holds a control character"
    } else {
        return None;
    })
}

/// Exact target of a session's current window or pane: `=NAME:`.
pub(crate) fn session_window(name: &str) -> String {
    format!("={name}:")
}

/// An argument that tmux format-expands (`-s`, `-n`, `-c`, message text) made literal,
/// so `#(cmd)` and `#{...}` are just text: tmux reads `##` as `#`, except that a run of
/// `#`s before `[` (a style) is kept as it stands. So each `#` is doubled, but a run
/// of them followed by `[` is sent unchanged.
pub(crate) fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(at) = rest.find('#') {
        out.push_str(&rest[..at]);
        let run = rest[at..].bytes().take_while(|&b| b == b'#').count();
        let after = &rest[at + run..];
        let hashes = if after.starts_with('[') { run } else { run * 2 };
        out.extend(std::iter::repeat_n('#', hashes));
        rest = after;
    }
    out.push_str(rest);
    out
}

/// One word for `sh -c`: single-quoted, with `'` written as `'\''`.
pub(crate) fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// A string inside double quotes of tmux's command language, where `\`, `"` and `$`
/// would otherwise be special.
pub(crate) fn tmux_double_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '\\' | '"' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_exact() {
        assert_eq!(session("api"), "=api");
        assert_eq!(session_window("api"), "=api:");
    }

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("it's"), "'it'\\''s'");
        assert_eq!(sh_quote("$(x)"), "'$(x)'");
        assert_eq!(tmux_double_quote(r#"a"b\c$d"#), r#""a\"b\\c\$d""#);
    }

    #[test]
    fn literal_doubles_every_hash_but_a_style_s() {
        assert_eq!(literal("#(rm -rf ~)"), "##(rm -rf ~)");
        assert_eq!(literal("a##b#{x}"), "a####b##{x}");
        assert_eq!(literal("plain"), "plain");
        assert_eq!(literal("#[fg=red]"), "#[fg=red]");
        assert_eq!(literal("w##[bg=blue]#"), "w##[bg=blue]##");
        assert_eq!(literal("e#[x]y#(z)"), "e#[x]y##(z)");
    }
}
