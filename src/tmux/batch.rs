//! Several tmux commands sent in one call, and how calls are cut to fit every server.

/// The most bytes a packed call's arguments take: well below the largest message tmux
/// takes (`wire::MAX_FRAME`, 16 KiB), which also carries a header and the folder.
pub(crate) const MAX_BATCH_BYTES: usize = 15_000;
const _: () = assert!(MAX_BATCH_BYTES + 1024 < super::wire::MAX_FRAME);

/// tmux 3.7 refuses a command line of more than 1000 arguments (`;` included).
pub(crate) const MAX_BATCH_ARGS: usize = 1000;

/// Several tmux commands sent in one invocation, separated by `;`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Batch {
    pub(super) args: Vec<String>,
}

impl Batch {
    /// An empty batch.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Appends one tmux command. Arguments reach tmux unchanged: an argument that ends in
    /// `;` (which tmux would read as a separator) is escaped here. Doubling `#` in
    /// arguments that tmux expands is the caller's job (`target::literal`).
    pub(super) fn cmd<I, S>(mut self, parts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        if !self.args.is_empty() {
            self.args.push(";".into());
        }
        self.args
            .extend(parts.into_iter().map(|p| escape_separator(p.into())));
        self
    }

    /// Appends all commands of another batch.
    pub(crate) fn extend(mut self, other: Batch) -> Self {
        if !other.args.is_empty() {
            if !self.args.is_empty() {
                self.args.push(";".into());
            }
            self.args.extend(other.args);
        }
        self
    }

    /// Bytes the arguments take, to keep a call under tmux's message size limit.
    pub(crate) fn size(&self) -> usize {
        self.args.iter().map(|a| a.len() + 1).sum()
    }

    /// Arguments the batch sends, `;` separators included (tmux 3.7 takes 1000 at most).
    pub(crate) fn arg_count(&self) -> usize {
        self.args.len()
    }

    /// The batch cut into its single commands (a bare `;` argument is always ours:
    /// a `;` the caller passed ends in `\;` by now).
    pub(crate) fn into_commands(self) -> Vec<Batch> {
        self.args
            .split(|a| a == ";")
            .filter(|c| !c.is_empty())
            .map(|c| Batch { args: c.to_vec() })
            .collect()
    }

    /// The commands of `batches` in as few calls as fit every server's limits (message
    /// size, argument count). For commands that name their targets exactly, so that a
    /// cut may fall anywhere between two of them.
    pub(crate) fn pack(batches: impl IntoIterator<Item = Batch>) -> Vec<Batch> {
        let mut calls: Vec<Batch> = Vec::new();
        let mut current = Batch::new();
        for command in batches.into_iter().flat_map(Batch::into_commands) {
            let too_big = current.size() + command.size() > MAX_BATCH_BYTES
                || current.arg_count() + 1 + command.arg_count() > MAX_BATCH_ARGS;
            if !current.is_empty() && too_big {
                calls.push(std::mem::take(&mut current));
            }
            current = current.extend(command);
        }
        if !current.is_empty() {
            calls.push(current);
        }
        calls
    }

    /// True when no command was added.
    pub(crate) fn is_empty(&self) -> bool {
        self.args.is_empty()
    }

    /// The commands' names, for messages (`new-session; set-option`).
    pub(crate) fn name(&self) -> String {
        let mut names = Vec::new();
        let mut at_start = true;
        for arg in &self.args {
            if at_start {
                names.push(arg.as_str());
            }
            at_start = arg == ";";
        }
        names.dedup();
        match names.len() {
            0..=3 => names.join("; "),
            _ => format!("{}; …", names[..3].join("; ")),
        }
    }
}

/// tmux splits an argument that ends in `;` into the argument and a command separator;
/// `\;` at the end stands for a literal `;`.
fn escape_separator(arg: String) -> String {
    match arg.strip_suffix(';') {
        Some(head) => format!("{head}\\;"),
        None => arg,
    }
}
