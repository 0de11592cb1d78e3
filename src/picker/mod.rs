//! `thanos-tmux pick`: the sessions on the first frame, the cached folders and then a
//! new folder search streaming in behind it, keys read with crossterm, frames drawn
//! with ratatui. Leaving puts the terminal back as it was before anything is done.

mod model;
mod view;

use crate::cmd::pick::go;
use anyhow::{Context, Result};
use model::{Entry, Model};
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::time::Duration;
use thanos_tmux::{Candidate, Kind, ProjectFolders, TmuxManager};
use view::{Footer, Preview, Theme};

use crate::exit::Exit;

/// What the folder search sends while it runs.
enum Scan {
    /// The folders of the last search.
    Cached(Vec<Entry>),
    Found(Vec<Entry>),
    Done,
}

/// How the picker ended.
enum Outcome {
    Go(Candidate),
    Leave,
}

/// While the scan runs, the screen takes in what it found at least this often.
const SCAN_POLL: Duration = Duration::from_millis(30);

/// While a preview is on its way, the screen looks for it this often.
const PREVIEW_POLL: Duration = Duration::from_millis(5);

pub fn run(manager: &TmuxManager, colour: bool) -> Result<Exit> {
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        anyhow::bail!(
            "not a terminal: the picker needs one (thanos-tmux pick --list prints the entries)"
        );
    }
    // The folders are read (cache) and searched meanwhile: the first frame waits only
    // for the sessions.
    let folders = start_search(manager.project_folders());
    let mut model = Model::new(manager.pick_sessions()?);
    let mut terminal = ratatui::try_init().context("cannot take over the terminal")?;
    let outcome = std::thread::scope(|scope| {
        let previews = Previews::start(scope, manager);
        Picker::new(manager, Theme::new(colour), previews).run(&mut terminal, &mut model, folders)
    });
    ratatui::restore();
    match outcome? {
        Outcome::Go(chosen) => go(manager, &chosen)?,
        Outcome::Leave => {}
    }
    Ok(Exit::Ok)
}

/// In the background: the folders of the last search at once, then, once the first
/// frame is out (`Search::first_frame_drawn`; the walk would compete with tmux for the
/// sessions), a new search as it goes. Each batch is made into entries there.
fn start_search(folders: ProjectFolders) -> Search {
    let (tx, rx) = mpsc::channel();
    let (go, wait) = mpsc::channel();
    let entries = |batch: Vec<String>| batch.into_iter().map(Entry::folder).collect();
    std::thread::spawn(move || {
        if let Some((cached, _age)) = folders.cached() {
            let _ = tx.send(Scan::Cached(entries(cached)));
        }
        let _ = wait.recv();
        folders.search(&mut |batch| {
            let _ = tx.send(Scan::Found(entries(batch)));
        });
        let _ = tx.send(Scan::Done);
    });
    Search { found: rx, go }
}

/// The folder search running in the background.
struct Search {
    found: Receiver<Scan>,
    go: Sender<()>,
}

impl Search {
    /// Lets the walk start.
    fn first_frame_drawn(&self) {
        let _ = self.go.send(());
    }
}

/// What the preview thread is asked for.
enum Ask {
    /// A live session's current pane.
    Pane(String),
    /// A folder's entries.
    Folder(String),
}

/// What the right side shows, by entry. A live session's pane (tmux) and a folder's
/// entries (the file system, which may be a slow mount) are fetched by a thread of
/// their own, once each, so that a key never waits for either.
struct Previews {
    shown: HashMap<String, String>,
    asked: HashSet<String>,
    ask: Sender<(String, Ask)>,
    answers: Receiver<(String, String)>,
}

impl Previews {
    fn start<'scope, 'env>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        manager: &'env TmuxManager,
    ) -> Previews {
        let (ask, asked) = mpsc::channel::<(String, Ask)>();
        let (tell, answers) = mpsc::channel();
        scope.spawn(move || {
            for (key, what) in asked {
                let text = match what {
                    Ask::Pane(name) => manager.preview(&name).unwrap_or_default(),
                    Ask::Folder(folder) => folder_entries(&folder),
                };
                if tell.send((key, text)).is_err() {
                    break;
                }
            }
        });
        Previews {
            shown: HashMap::new(),
            asked: HashSet::new(),
            ask,
            answers,
        }
    }

    /// What is known of `c`: blank until what was asked for comes.
    fn of(&mut self, c: &Candidate) -> Preview {
        let folder = c.folder.clone().unwrap_or_default();
        let (key, what) = match (c.kind, &c.name) {
            (Kind::Live, Some(name)) => (format!("pane\0{name}"), Ask::Pane(name.clone())),
            (Kind::Lost, _) => {
                let text = format!(
                    "lost when tmux stopped;\nEnter restores its {} window(s)\nin {}",
                    c.windows,
                    crate::ui::tilde(&folder)
                );
                return Preview {
                    text,
                    from_end: false,
                };
            }
            _ => (format!("folder\0{folder}"), Ask::Folder(folder)),
        };
        let from_end = matches!(what, Ask::Pane(_));
        let text = match self.shown.get(&key) {
            Some(text) => text.clone(),
            None => {
                if self.asked.insert(key.clone()) {
                    let _ = self.ask.send((key, what));
                }
                String::new()
            }
        };
        Preview { text, from_end }
    }

    /// Takes in what came; true when something did.
    fn arrived(&mut self) -> bool {
        let mut any = false;
        while let Ok((name, text)) = self.answers.try_recv() {
            self.shown.insert(name, text);
            any = true;
        }
        any
    }

    fn waiting(&self) -> bool {
        self.asked.len() > self.shown.len()
    }
}

struct Picker<'m> {
    manager: &'m TmuxManager,
    theme: Theme,
    /// The first entry on screen.
    first: usize,
    /// A question waits for y/n: kill this session.
    confirm_kill: Option<String>,
    message: Option<String>,
    previews: Previews,
}

impl<'m> Picker<'m> {
    fn new(manager: &'m TmuxManager, theme: Theme, previews: Previews) -> Self {
        Picker {
            manager,
            theme,
            first: 0,
            confirm_kill: None,
            message: None,
            previews,
        }
    }

    fn run(
        &mut self,
        terminal: &mut ratatui::DefaultTerminal,
        model: &mut Model,
        search: Search,
    ) -> Result<Outcome> {
        let mut scanning = true;
        let mut dirty = true;
        loop {
            if dirty {
                self.draw(terminal, model)?;
                search.first_frame_drawn();
                dirty = false;
            }
            let wait = match (self.previews.waiting(), scanning) {
                (true, _) => PREVIEW_POLL,
                (false, true) => SCAN_POLL,
                (false, false) => Duration::from_secs(3600),
            };
            if event::poll(wait)? {
                match event::read()? {
                    Event::Key(key) if key.kind != KeyEventKind::Release => {
                        if let Some(outcome) = self.key(key, model) {
                            return Ok(outcome);
                        }
                        dirty = true;
                    }
                    Event::Resize(..) => dirty = true,
                    _ => {}
                }
            }
            while scanning {
                match search.found.try_recv() {
                    Ok(Scan::Cached(cached)) => model.add_folders(cached, true),
                    Ok(Scan::Found(found)) => model.add_folders(found, false),
                    Ok(Scan::Done) | Err(TryRecvError::Disconnected) => {
                        model.scan_done();
                        scanning = false;
                    }
                    Err(TryRecvError::Empty) => break,
                }
                dirty = true;
            }
            if self.previews.arrived() {
                dirty = true;
            }
        }
    }

    fn draw(&mut self, terminal: &mut ratatui::DefaultTerminal, model: &mut Model) -> Result<()> {
        let size = terminal.size()?;
        let height = view::list_height(size.height).max(1);
        let selected = model.selected_index();
        if selected < self.first {
            self.first = selected;
        } else if selected >= self.first + height {
            self.first = selected + 1 - height;
        }
        let preview = match (size.width >= view::PREVIEW_MIN_WIDTH, model.selected()) {
            (true, Some(entry)) => Some(self.previews.of(&entry.candidate)),
            _ => None,
        };
        let footer = match (&self.confirm_kill, &self.message) {
            (Some(name), _) => Footer::Question(&format!("kill session {name}? (y/n)")),
            (None, Some(text)) => Footer::Message(text),
            (None, None) => Footer::Keys,
        };
        let (first, theme) = (self.first, &self.theme);
        terminal.draw(|frame| view::draw(frame, model, first, preview.as_ref(), &footer, theme))?;
        Ok(())
    }

    /// One key; `Some` ends the picker.
    fn key(&mut self, key: KeyEvent, model: &mut Model) -> Option<Outcome> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        self.message = None;
        if let Some(name) = self.confirm_kill.take() {
            if key.code == KeyCode::Char('y') && !ctrl {
                self.kill(&name, model);
            }
            return None;
        }
        match key.code {
            KeyCode::Esc => return Some(Outcome::Leave),
            KeyCode::Char('c') if ctrl => return Some(Outcome::Leave),
            KeyCode::Enter => return model.selected().map(|e| Outcome::Go(e.candidate.clone())),
            KeyCode::Up => model.move_by(-1),
            KeyCode::Char('p' | 'k') if ctrl => model.move_by(-1),
            KeyCode::Down => model.move_by(1),
            KeyCode::Char('n' | 'j') if ctrl => model.move_by(1),
            KeyCode::PageUp => model.move_by(-10),
            KeyCode::PageDown => model.move_by(10),
            KeyCode::Char('x') if ctrl => self.ask_kill(model),
            KeyCode::Char('u') if ctrl => model.clear_query(),
            KeyCode::Char('w') if ctrl => model.delete_word(),
            KeyCode::Backspace => model.backspace(),
            KeyCode::Char(c) if !ctrl => model.type_char(c),
            _ => {}
        }
        None
    }

    fn ask_kill(&mut self, model: &Model) {
        let c = model.selected().map(|e| &e.candidate);
        match c.map(|c| (&c.name, c.kind, c.current)) {
            Some((Some(_), Kind::Live, true)) => {
                self.message =
                    Some("that is the session you are in: detach or switch first".into());
            }
            Some((Some(name), Kind::Live, false)) => self.confirm_kill = Some(name.clone()),
            _ => self.message = Some("only a live session can be killed".into()),
        }
    }

    fn kill(&mut self, name: &str, model: &mut Model) {
        match self.manager.kill_session(name) {
            Ok(()) => {
                model.remove_session(name);
                self.message = Some(format!("killed {name}"));
            }
            Err(err) => self.message = Some(format!("{err:#}")),
        }
    }
}

/// A folder's entries, folders first (marked `/`), then files, each sorted, hidden ones
/// left out; at most 200, one a line (a name's own line breaks are shown escaped).
fn folder_entries(folder: &str) -> String {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return String::new();
    };
    let mut names: Vec<(bool, String)> = entries
        .filter_map(Result::ok)
        .map(|e| {
            let file = !e.file_type().is_ok_and(|t| t.is_dir());
            (file, e.file_name().to_string_lossy().into_owned())
        })
        .filter(|(_, name)| !name.starts_with('.'))
        .collect();
    names.sort();
    let line = |(file, name): &(bool, String)| {
        let name = crate::ui::printable(name);
        if *file {
            name.into_owned()
        } else {
            format!("{name}/")
        }
    };
    names
        .iter()
        .take(200)
        .map(line)
        .collect::<Vec<_>>()
        .join("\n")
}
