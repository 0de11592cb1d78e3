//! The picker's state, free of any terminal: its entries, the query, the fuzzy filter
//! (nucleo) and the selection.

use crate::ui;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};
use std::collections::HashSet;
use thanos_tmux::{Candidate, Kind};

/// One entry as the picker shows and matches it.
pub struct Entry {
    pub candidate: Candidate,
    /// What is shown and matched: the session's name, or the folder (`~` for home),
    /// control characters escaped.
    pub label: String,
    /// A session's folder, shown after the label and matched too ("" for a folder).
    pub detail: String,
    haystack: Utf32String,
}

impl Entry {
    /// A project folder's entry.
    pub fn folder(path: String) -> Entry {
        Entry::new(Candidate::folder(path))
    }

    fn new(candidate: Candidate) -> Entry {
        let folder = candidate
            .folder
            .as_deref()
            .map(|f| ui::printable(&ui::tilde(f)).into_owned());
        let (label, detail) = match &candidate.name {
            Some(name) => (ui::printable(name).into_owned(), folder.unwrap_or_default()),
            None => (folder.unwrap_or_default(), String::new()),
        };
        let haystack = match detail.is_empty() {
            true => Utf32String::from(label.as_str()),
            false => Utf32String::from(format!("{label} {detail}")),
        };
        Entry {
            candidate,
            label,
            detail,
            haystack,
        }
    }

    /// The grapheme positions of the match in `label` and in `detail` (both counted
    /// from their own start).
    pub fn split_positions(&self, positions: &[u32]) -> (Vec<usize>, Vec<usize>) {
        let label_len = ui::graphemes(&self.label).count();
        let (mut in_label, mut in_detail) = (Vec::new(), Vec::new());
        for &p in positions {
            let p = p as usize;
            match p.checked_sub(label_len + 1) {
                _ if p < label_len => in_label.push(p),
                Some(q) => in_detail.push(q),
                None => {}
            }
        }
        (in_label, in_detail)
    }
}

/// What the picker holds between keys.
pub struct Model {
    entries: Vec<Entry>,
    query: String,
    /// Indexes into `entries` of those that match, best first.
    shown: Vec<usize>,
    /// Index into `shown`.
    selected: usize,
    matcher: Matcher,
    /// Folders listed from the cache that the running scan has not found again.
    unconfirmed: HashSet<String>,
    /// The folder of every entry.
    listed: HashSet<String>,
}

impl Model {
    /// The sessions; folders come with `add_folders`.
    pub fn new(sessions: Vec<Candidate>) -> Model {
        let listed = sessions.iter().filter_map(|c| c.folder.clone()).collect();
        let mut model = Model {
            entries: sessions.into_iter().map(Entry::new).collect(),
            query: String::new(),
            shown: Vec::new(),
            selected: 0,
            matcher: Matcher::new(Config::DEFAULT.match_paths()),
            unconfirmed: HashSet::new(),
            listed,
        };
        model.refilter();
        model
    }

    pub fn query(&self) -> &str {
        &self.query
    }

    /// How many entries match, and how many there are.
    pub fn counts(&self) -> (usize, usize) {
        (self.shown.len(), self.entries.len())
    }

    pub fn selected_index(&self) -> usize {
        self.selected
    }

    /// The highlighted entry.
    pub fn selected(&self) -> Option<&Entry> {
        self.shown.get(self.selected).map(|&i| &self.entries[i])
    }

    /// The matching entries from position `start`, at most `count`, each with the
    /// grapheme positions of the match in its matched text.
    pub fn visible(&mut self, start: usize, count: usize) -> Vec<(&Entry, Vec<u32>)> {
        let pattern = self.pattern();
        let end = self.shown.len().min(start.saturating_add(count));
        let mut out = Vec::new();
        for &i in self.shown.get(start..end).unwrap_or_default() {
            let mut positions = Vec::new();
            if let Some(pattern) = &pattern {
                let haystack = self.entries[i].haystack.slice(..);
                pattern.indices(haystack, &mut self.matcher, &mut positions);
                positions.sort_unstable();
                positions.dedup();
            }
            out.push((&self.entries[i], positions));
        }
        out
    }

    pub fn type_char(&mut self, c: char) {
        self.query.push(c);
        self.refilter();
    }

    pub fn backspace(&mut self) {
        if self.query.pop().is_some() {
            self.refilter();
        }
    }

    /// Ctrl-w: the last word of the query goes.
    pub fn delete_word(&mut self) {
        let kept = self.query.trim_end().rfind(' ').map_or(0, |i| i + 1);
        self.query.truncate(kept);
        self.refilter();
    }

    pub fn clear_query(&mut self) {
        self.query.clear();
        self.refilter();
    }

    /// Moves the highlight by `by` rows, stopping at either end.
    pub fn move_by(&mut self, by: isize) {
        let last = self.shown.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(by).min(last);
    }

    /// Folder entries (made with `Entry::folder`), listed when new: `cached` ones are
    /// from the last scan and go again unless this scan finds them too.
    pub fn add_folders(&mut self, folders: Vec<Entry>, cached: bool) {
        let (before, kept) = (self.entries.len(), self.highlighted());
        if cached {
            // Thousands come at once from the cache: room for exactly those, not double.
            self.entries.reserve_exact(folders.len());
        }
        for entry in folders {
            let Some(folder) = entry.candidate.folder.as_ref() else {
                continue;
            };
            if cached {
                self.unconfirmed.insert(folder.clone());
            } else {
                self.unconfirmed.remove(folder);
            }
            if self.listed.insert(folder.clone()) {
                self.entries.push(entry);
            }
        }
        if self.entries.len() > before {
            self.refilter_keeping(kept);
        }
    }

    /// The scan is over: cached folders it did not find again go.
    pub fn scan_done(&mut self) {
        if self.unconfirmed.is_empty() {
            return;
        }
        let (gone, kept) = (std::mem::take(&mut self.unconfirmed), self.highlighted());
        self.listed.retain(|f| !gone.contains(f));
        self.entries.retain(|e| {
            e.candidate.kind != Kind::Folder
                || !e
                    .candidate
                    .folder
                    .as_ref()
                    .is_some_and(|f| gone.contains(f))
        });
        self.refilter_keeping(kept);
    }

    /// A killed session leaves the list.
    pub fn remove_session(&mut self, name: &str) {
        let kept = self.highlighted();
        self.entries
            .retain(|e| e.candidate.name.as_deref() != Some(name));
        self.refilter_keeping(kept);
    }

    fn pattern(&self) -> Option<Pattern> {
        if self.query.trim().is_empty() {
            return None;
        }
        Some(Pattern::parse(
            &self.query,
            CaseMatching::Smart,
            Normalization::Smart,
        ))
    }

    /// Filters and orders the entries for the query; the highlight goes to the best.
    fn refilter(&mut self) {
        self.score();
        self.selected = 0;
    }

    /// What the highlight is on, to find it again after the entries change.
    fn highlighted(&self) -> Option<(Option<String>, Option<String>)> {
        let c = &self.selected()?.candidate;
        Some((c.name.clone(), c.folder.clone()))
    }

    /// Filters again after the entries changed; the highlight stays on `kept` when it
    /// is still there.
    fn refilter_keeping(&mut self, kept: Option<(Option<String>, Option<String>)>) {
        self.score();
        let position = kept.and_then(|(name, folder)| {
            self.shown.iter().position(|&i| {
                let c = &self.entries[i].candidate;
                c.name == name && c.folder == folder
            })
        });
        self.selected = position.unwrap_or(self.selected.min(self.shown.len().saturating_sub(1)));
    }

    fn score(&mut self) {
        let Some(pattern) = self.pattern() else {
            self.shown = (0..self.entries.len()).collect();
            return;
        };
        let mut scored: Vec<(u32, usize)> = Vec::new();
        for (i, entry) in self.entries.iter().enumerate() {
            if let Some(score) = pattern.score(entry.haystack.slice(..), &mut self.matcher) {
                scored.push((score, i));
            }
        }
        // Best first; equal scores keep the list's order (sessions before folders).
        scored.sort_by_key(|&(score, i)| (std::cmp::Reverse(score), i));
        self.shown = scored.into_iter().map(|(_, i)| i).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(name: &str, folder: &str) -> Candidate {
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

    fn folders(paths: &[&str]) -> Vec<Entry> {
        paths.iter().map(|p| Entry::folder(p.to_string())).collect()
    }

    fn labels(model: &Model) -> Vec<String> {
        model
            .shown
            .iter()
            .map(|&i| model.entries[i].label.clone())
            .collect()
    }

    #[test]
    fn typing_filters_fuzzily_and_the_best_match_is_highlighted() {
        let mut model = Model::new(vec![session("api", "/srv/api"), session("web", "/srv/web")]);
        model.add_folders(folders(&["/srv/cli-tools", "/srv/api"]), true);
        assert_eq!(model.counts(), (3, 3));
        for c in "wb".chars() {
            model.type_char(c);
        }
        assert_eq!(labels(&model), ["web"]);
        model.clear_query();
        model.type_char('c');
        model.type_char('t');
        assert_eq!(model.selected().unwrap().label, "/srv/cli-tools");
        let (entry, positions) = model.visible(0, 1).pop().unwrap();
        assert_eq!(entry.split_positions(&positions), (vec![5, 9], vec![]));
    }

    #[test]
    fn a_match_in_the_folder_of_a_session_is_placed_in_the_detail() {
        let mut model = Model::new(vec![session("api", "/srv/zz")]);
        model.type_char('z');
        let (entry, positions) = model.visible(0, 5).pop().unwrap();
        let (label, detail) = entry.split_positions(&positions);
        assert!(label.is_empty());
        assert!(detail.contains(&5), "{detail:?}");
    }

    #[test]
    fn the_highlight_stops_at_either_end() {
        let mut model = Model::new(vec![session("a", "/a"), session("b", "/b")]);
        model.move_by(-1);
        assert_eq!(model.selected_index(), 0);
        model.move_by(5);
        assert_eq!(model.selected_index(), 1);
        model.type_char('q');
        assert!(model.selected().is_none());
        model.move_by(1);
        assert!(model.selected().is_none());
    }

    #[test]
    fn the_scan_adds_new_folders_and_drops_cached_ones_it_did_not_find() {
        let mut model = Model::new(vec![session("api", "/srv/api")]);
        model.add_folders(folders(&["/srv/old", "/srv/kept"]), true);
        model.move_by(2);
        assert_eq!(model.selected().unwrap().label, "/srv/kept");
        model.add_folders(folders(&["/srv/new", "/srv/kept", "/srv/api"]), false);
        model.scan_done();
        assert_eq!(labels(&model), ["api", "/srv/kept", "/srv/new"]);
        assert_eq!(model.selected().unwrap().label, "/srv/kept");
    }

    #[test]
    fn hostile_names_are_shown_escaped_and_kept_exact() {
        let model = Model::new(vec![session("a\u{1b}[2Jb", "/x\ny")]);
        let entry = model.selected().unwrap();
        assert_eq!(entry.label, "a\\e[2Jb");
        assert_eq!(entry.detail, "/x\\ny");
        assert_eq!(entry.candidate.name.as_deref(), Some("a\u{1b}[2Jb"));
    }
}
