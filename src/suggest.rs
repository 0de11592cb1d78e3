//! "Did you mean": the word a mistyped one was meant as.

/// The candidate `word` was most likely meant as: the first that `word` begins, else
/// the nearest within an edit distance of 2 (a letter added, dropped, changed, or two
/// side by side swapped). `None` when nothing is that close, or when `word` is a
/// candidate itself.
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
    let begun = candidates.iter().find(|c| c.starts_with(word)).copied();
    begun.or_else(|| {
        candidates
            .iter()
            .map(|c| (distance(word, c), *c))
            .filter(|(d, _)| *d <= 2)
            .min_by_key(|(d, _)| *d)
            .map(|(_, c)| c)
    })
}

/// Edit distance counted in characters, a swap of two neighbours being one edit
/// (`lsit` is 1 from `list`, 2 from `last`).
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // d[i][j]: the distance between the first i of `a` and the first j of `b`.
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let change = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j - 1] + change)
                .min(d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
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
        assert_eq!(
            did_you_mean("lsit", ["last", "list"]),
            Some("list"),
            "a swap is one edit"
        );
        assert_eq!(distance("lsit", "last"), 2);
        assert_eq!(did_you_mean("kil", subs), Some("kill"));
        assert_eq!(did_you_mean("docter", subs), Some("doctor"));
        assert_eq!(did_you_mean("daem", subs), Some("daemons"));
        assert_eq!(
            did_you_mean("daem", ["name", "daemons"]),
            Some("daemons"),
            "begun first"
        );
        assert_eq!(did_you_mean("list", subs), None);
        assert_eq!(did_you_mean("frontend", subs), None);
        assert_eq!(did_you_mean("", subs), None);
        assert_eq!(distance("auto_atach", "auto_attach"), 1);
        assert_eq!(distance("é", "e"), 1);
    }
}
