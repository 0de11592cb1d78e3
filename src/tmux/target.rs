//! Exact tmux targets and literal arguments: never a bare name, never an expanded `#`.

/// Exact session target: `=NAME` matches only NAME, never `NAME2` by prefix.
pub fn session(name: &str) -> String {
    format!("={name}")
}

/// Exact target of a session's current window or pane: `=NAME:`.
pub fn session_window(name: &str) -> String {
    format!("={name}:")
}

/// An argument that tmux format-expands (`-s`, `-n`, `-c`, message text) made literal:
/// every `#` doubled, so `#(cmd)` and `#{...}` are just text.
pub fn literal(text: &str) -> String {
    text.replace('#', "##")
}

/// One word for `sh -c`: single-quoted, with `'` written as `'\''`.
pub fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// A string inside double quotes of tmux's command language, where `\`, `"` and `$`
/// would otherwise be special.
pub fn tmux_double_quote(text: &str) -> String {
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
    fn literal_doubles_every_hash() {
        assert_eq!(literal("#(rm -rf ~)"), "##(rm -rf ~)");
        assert_eq!(literal("a##b#{x}"), "a####b##{x}");
        assert_eq!(literal("plain"), "plain");
    }
}
