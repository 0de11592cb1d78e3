//! "Did you mean": the word a mistyped one was meant as.

/// The candidate `word` was most likely meant as: the nearest within an edit distance
/// of 2 (a letter added, dropped, changed), else the first that `word` begins. `None`
/// when nothing is that close, or when `word` is a candidate itself.
///
/// ```
/// use thanos_tmux::did_you_mean;
/// let commands = ["list", "kill", "status"];
/// assert_eq!(did_you_mean("lsit", commands), Some("list"));
/// assert_eq!(did_you_mean("stat", commands), Some("status"));
/// assert_eq!(did_you_mean("api", commands), None);
/// ```
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    if word.is_empty() || candidates.contains(&word) {
        return None;
    }
    let nearest = candidates
        .iter()
        .map(|c| (distance(word, c), *c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c);
    nearest.or_else(|| candidates.into_iter().find(|c| c.starts_with(word)))
}

/// Levenshtein distance, counted in characters.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = std::mem::replace(&mut row[0], i + 1);
        for (j, &cb) in b.iter().enumerate() {
            let best = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = std::mem::replace(&mut row[j + 1], best);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_within_two_else_a_prefix() {
        let subs = [
            "attach", "list", "status", "kill", "config", "doctor", "daemons",
        ];
        assert_eq!(did_you_mean("lsit", subs), Some("list"));
        assert_eq!(did_you_mean("kil", subs), Some("kill"));
        assert_eq!(did_you_mean("docter", subs), Some("doctor"));
        assert_eq!(did_you_mean("daem", subs), Some("daemons"));
        assert_eq!(did_you_mean("list", subs), None);
        assert_eq!(did_you_mean("frontend", subs), None);
        assert_eq!(did_you_mean("", subs), None);
        assert_eq!(distance("auto_atach", "auto_attach"), 1);
        assert_eq!(distance("é", "e"), 1);
    }
}
