//! `thanos-tmux pick`: the sessions and the cached folders on the first frame, the
//! folder scan streaming in behind it, keys read with crossterm, frames drawn with
//! ratatui. Leaving puts the terminal back as it was before anything is done.

mod model;
mod view;

use crate::cmd::pick::go;
use anyhow::{Context, Result};
use model::Model;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::Duration;
use thanos_tmux::{Candidate, Kind, ProjectFolders, TmuxManager};
use view::{Footer, Theme};

use crate::exit::Exit;

/// What the folder scan sends while it runs.
enum Scan {
    Found(Vec<String>),
    Done,
}

/// How the picker ended.
enum Outcome {
    Go(Candidate),
    Leave,
}

/// While the scan runs, the screen takes in what it found at least this often.
const SCAN_POLL: Duration = Duration::from_millis(30);

pub fn run(manager: &TmuxManager, colour: bool) -> Result<Exit> {
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        anyhow::bail!(
            "not a terminal: the picker needs one (thanos-tmux pick --list prints the entries)"
        );
    }
    let folders = manager.project_folders();
    let mut model = Model::new(manager.pick_sessions()?, folders.cached());
    let scan = start_scan(folders);
    let mut terminal = ratatui::try_init().context("cannot take over the terminal")?;
    let outcome = Picker::new(manager, Theme::new(colour)).run(&mut terminal, &mut model, scan);
    ratatui::restore();
    match outcome? {
        Outcome::Go(chosen) => go(manager, &chosen)?,
        Outcome::Leave => {}
    }
    Ok(Exit::Ok)
}

/// Searches for folders in the background, sending what it finds as it goes.
fn start_scan(folders: ProjectFolders) -> Receiver<Scan> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        folders.search(&mut |batch| {
            let _ = tx.send(Scan::Found(batch));
        });
        let _ = tx.send(Scan::Done);
    });
    rx
}

struct Picker<'m> {
    manager: &'m TmuxManager,
    theme: Theme,
    /// The first entry on screen.
    first: usize,
    /// A question waits for y/n: kill this session.
    confirm_kill: Option<String>,
    message: Option<String>,
    previews: HashMap<String, String>,
}

impl<'m> Picker<'m> {
    fn new(manager: &'m TmuxManager, theme: Theme) -> Self {
        Picker {
            manager,
            theme,
            first: 0,
            confirm_kill: None,
            message: None,
            previews: HashMap::new(),
        }
    }

    fn run(
        &mut self,
        terminal: &mut ratatui::DefaultTerminal,
        model: &mut Model,
        scan: Receiver<Scan>,
    ) -> Result<Outcome> {
        let mut scanning = true;
        let mut dirty = true;
        loop {
            if dirty {
                self.draw(terminal, model)?;
                dirty = false;
            }
            let wait = if scanning {
                SCAN_POLL
            } else {
                Duration::from_secs(3600)
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
                match scan.try_recv() {
                    Ok(Scan::Found(found)) => model.add_folders(&found),
                    Ok(Scan::Done) | Err(TryRecvError::Disconnected) => {
                        model.scan_done();
                        scanning = false;
                    }
                    Err(TryRecvError::Empty) => break,
                }
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
        let preview = match size.width >= view::PREVIEW_MIN_WIDTH {
            true => self.preview(model),
            false => None,
        };
        let footer = match (&self.confirm_kill, &self.message) {
            (Some(name), _) => Footer::Question(&format!("kill session {name}? (y/n)")),
            (None, Some(text)) => Footer::Message(text),
            (None, None) => Footer::Keys,
        };
        let (first, theme) = (self.first, &self.theme);
        terminal
            .draw(|frame| view::draw(frame, model, first, preview.as_deref(), &footer, theme))?;
        Ok(())
    }

    /// What the right side shows for the highlighted entry: a live session's current
    /// pane (asked of tmux once per session), what Enter does for a lost one, a
    /// folder's entries.
    fn preview(&mut self, model: &Model) -> Option<String> {
        let c = &model.selected()?.candidate;
        let folder = c.folder.as_deref().unwrap_or("");
        let key = format!(
            "{:?}\0{}\0{folder}",
            c.kind,
            c.name.as_deref().unwrap_or("")
        );
        if !self.previews.contains_key(&key) {
            let text = match (c.kind, &c.name) {
                (Kind::Live, Some(name)) => self.manager.preview(name).unwrap_or_default(),
                (Kind::Lost, _) => format!(
                    "lost when tmux stopped;\nEnter restores its {} window(s)\nin {}",
                    c.windows,
                    crate::ui::tilde(folder)
                ),
                _ => folder_entries(folder),
            };
            self.previews.insert(key.clone(), text);
        }
        self.previews.get(&key).cloned()
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

/// A folder's entries, folders first (marked `/`), hidden ones left out; at most 200.
fn folder_entries(folder: &str) -> String {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return String::new();
    };
    let mut names: Vec<(bool, String)> = entries
        .filter_map(Result::ok)
        .map(|e| {
            let dir = e.file_type().is_ok_and(|t| t.is_dir());
            (!dir, e.file_name().to_string_lossy().into_owned())
        })
        .filter(|(_, name)| !name.starts_with('.'))
        .take(200)
        .collect();
    names.sort();
    let line = |(file, name): (bool, String)| if file { name } else { format!("{name}/") };
    names.into_iter().map(line).collect::<Vec<_>>().join("\n")
}
