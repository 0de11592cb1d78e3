//! Drawing the picker (ratatui): the query line, the entries with their matches
//! highlighted, a preview of the highlighted entry when the window is wide enough, and
//! one line of keys or of a question.

use super::model::{Entry, Model};
use crate::ui;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use thanos_tmux::Kind;

/// Below this width there is no preview.
pub const PREVIEW_MIN_WIDTH: u16 = 100;

/// The theme, or plain text with `NO_COLOR` (emphasis only).
pub struct Theme {
    colour: bool,
}

impl Theme {
    pub fn new(colour: bool) -> Theme {
        Theme { colour }
    }

    fn fg(&self, code: u8) -> Style {
        match self.colour {
            true => Style::new().fg(Color::Indexed(code)),
            false => Style::new(),
        }
    }

    fn purple(&self) -> Style {
        self.fg(135)
    }

    fn gold(&self) -> Style {
        self.fg(220).add_modifier(Modifier::BOLD)
    }

    fn dim(&self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    fn matched(&self) -> Style {
        match self.colour {
            true => self.gold(),
            false => Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        }
    }
}

/// What the right side shows.
pub struct Preview {
    pub text: String,
    /// A pane: its last lines are shown when not all fit.
    pub from_end: bool,
}

/// What the bottom line says.
pub enum Footer<'a> {
    Keys,
    Message(&'a str),
    Question(&'a str),
}

/// The rows the list has in a window of this height.
pub fn list_height(height: u16) -> usize {
    usize::from(height.saturating_sub(3))
}

/// Draws one frame. `first` is the first entry shown; `preview` what the right side
/// shows of the highlighted entry (only drawn when the window is wide enough).
pub fn draw(
    frame: &mut Frame,
    model: &mut Model,
    first: usize,
    preview: Option<&Preview>,
    footer: &Footer,
    theme: &Theme,
) {
    let [top, rule, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());

    let (matching, total) = model.counts();
    let count = format!("{matching}/{total}");
    let prompt = Line::from(vec![
        Span::styled("› ", theme.gold()),
        Span::raw(ui::printable(model.query())),
    ]);
    let [query_area, count_area] = Layout::horizontal([
        Constraint::Min(1),
        Constraint::Length(count.len() as u16 + 1),
    ])
    .areas(top);
    frame.render_widget(Paragraph::new(prompt), query_area);
    frame.render_widget(Paragraph::new(Span::styled(count, theme.dim())), count_area);
    let typed = ui::graphemes(&ui::printable(model.query())).count();
    let cursor_x = (query_area.x + 2).saturating_add(u16::try_from(typed).unwrap_or(u16::MAX));
    frame.set_cursor_position((cursor_x.min(query_area.right().saturating_sub(1)), top.y));
    frame.render_widget(
        Paragraph::new(Span::styled(
            "─".repeat(usize::from(rule.width)),
            theme.purple(),
        )),
        rule,
    );

    let (list_area, preview_area) = match preview {
        Some(_) if body.width >= PREVIEW_MIN_WIDTH => {
            let [l, p] =
                Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
                    .areas(body);
            (l, Some(p))
        }
        _ => (body, None),
    };
    let selected = model.selected_index();
    let visible = model.visible(first, usize::from(list_area.height));
    // Sessions' names and folders in columns, as wide as the widest shown (capped).
    let widest = |text: fn(&Entry) -> &str, cap: usize| {
        let sessions = visible
            .iter()
            .filter(|(e, _)| e.candidate.kind != Kind::Folder);
        sessions
            .map(|(e, _)| width(text(e)))
            .max()
            .unwrap_or(0)
            .min(cap)
    };
    let columns = (widest(|e| &e.label, 32), widest(|e| &e.detail, 40));
    let rows: Vec<Line> = visible
        .iter()
        .enumerate()
        .map(|(i, (entry, positions))| row(entry, positions, first + i == selected, columns, theme))
        .collect();
    frame.render_widget(Paragraph::new(rows), list_area);
    if let (Some(area), Some(preview)) = (preview_area, preview) {
        let block = Block::new()
            .borders(Borders::LEFT)
            .border_style(theme.purple());
        // The end of a pane is what is current: blank lines below it go, and what does
        // not fit goes from the top. Other text is read from its start.
        let text = preview.text.trim_end();
        let skip = match preview.from_end {
            true => text
                .lines()
                .count()
                .saturating_sub(usize::from(area.height)),
            false => 0,
        };
        let lines: Vec<Line> = text
            .lines()
            .skip(skip)
            .map(|l| Line::raw(ui::printable(l)))
            .collect();
        frame.render_widget(Paragraph::new(lines).block(block), area);
    }

    let footer = match footer {
        Footer::Keys => Line::from(vec![
            Span::styled("enter", theme.gold()),
            Span::styled(" go · ", theme.dim()),
            Span::styled("ctrl-x", theme.gold()),
            Span::styled(" kill · ", theme.dim()),
            Span::styled("esc", theme.gold()),
            Span::styled(" leave", theme.dim()),
        ]),
        Footer::Message(text) => Line::styled(ui::printable(text), theme.purple()),
        Footer::Question(text) => Line::styled(ui::printable(text), theme.gold()),
    };
    frame.render_widget(Paragraph::new(footer), bottom);
}

/// One entry: a mark of its kind, its label and folder with the match highlighted,
/// and what there is to know (windows, clients, last attach; lost; current).
fn row<'a>(
    entry: &'a Entry,
    positions: &[u32],
    selected: bool,
    (name_width, folder_width): (usize, usize),
    theme: &Theme,
) -> Line<'a> {
    let c = &entry.candidate;
    let (mark, label_style) = match c.kind {
        Kind::Live => ("● ", theme.purple().add_modifier(Modifier::BOLD)),
        Kind::Lost => ("○ ", theme.purple()),
        Kind::Folder => ("▸ ", Style::new()),
    };
    let mut spans = vec![
        Span::styled(if selected { "▌" } else { " " }, theme.gold()),
        Span::styled(mark, theme.purple()),
    ];
    let (in_label, in_detail) = entry.split_positions(positions);
    spans.extend(highlighted(&entry.label, &in_label, label_style, theme));
    if c.kind != Kind::Folder {
        spans.push(Span::raw(pad(&entry.label, name_width)));
        spans.extend(highlighted(&entry.detail, &in_detail, theme.dim(), theme));
        spans.push(Span::raw(pad(&entry.detail, folder_width)));
    }
    let plural = |n: u32, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let facts = match c.kind {
        Kind::Live => {
            let mut facts = plural(c.windows, "window");
            if c.clients > 0 {
                facts.push_str(&format!(", {} attached", c.clients));
            }
            if let Some(at) = c.last_attached {
                facts.push_str(&format!(" · {}", ui::ago(at, ui::now())));
            }
            facts
        }
        Kind::Lost => format!("lost · {} to restore", plural(c.windows, "window")),
        Kind::Folder => String::new(),
    };
    spans.push(Span::styled(facts, theme.dim()));
    if c.current {
        spans.push(Span::styled("  (current)", theme.gold()));
    }
    let line = Line::from(spans);
    match selected {
        true => line.style(Style::new().add_modifier(Modifier::REVERSED)),
        false => line,
    }
}

/// The columns `text` takes on a terminal.
fn width(text: &str) -> usize {
    Span::raw(text).width()
}

/// The spaces that take `text` to `column` columns, and two more.
fn pad(text: &str, column: usize) -> String {
    " ".repeat(column.saturating_sub(width(text)) + 2)
}

/// `text` in `style`, its graphemes at `positions` in the match style.
fn highlighted<'a>(
    text: &'a str,
    positions: &[usize],
    style: Style,
    theme: &Theme,
) -> Vec<Span<'a>> {
    if positions.is_empty() {
        return vec![Span::styled(text, style)];
    }
    let pick = |matched: bool| if matched { theme.matched() } else { style };
    let mut spans = Vec::new();
    let (mut start, mut matched) = (0, false);
    for (i, (at, _)) in ui::grapheme_indices(text).enumerate() {
        let is_match = positions.binary_search(&i).is_ok();
        if is_match != matched {
            if at > start {
                spans.push(Span::styled(&text[start..at], pick(matched)));
            }
            (start, matched) = (at, is_match);
        }
    }
    if start < text.len() {
        spans.push(Span::styled(&text[start..], pick(matched)));
    }
    spans
}
