//! Renders the shell integration (`init`) and completion scripts from the real shell
//! files under `shell/`, embedded at build time. No config, no tmux: `init` costs a
//! process spawn and nothing more.

use crate::cli::Shell;

const BASH_COMPLETION: &str = include_str!("../shell/completion.bash");
const ZSH_COMPLETION: &str = include_str!("../shell/completion.zsh");
const FISH_COMPLETION: &str = include_str!("../shell/completion.fish");
const BASH_INIT: &str = include_str!("../shell/thanos-tmux.bash");
const ZSH_INIT: &str = include_str!("../shell/thanos-tmux.zsh");
const FISH_INIT: &str = include_str!("../shell/thanos-tmux.fish");

/// `thanos-tmux init SHELL`: a one-line preamble (whether to auto-attach), then the
/// integration. bash and zsh load the completion at the first Tab (from `completions`);
/// fish's declarative completion comes inline. The only value injected is a literal 0
/// or 1, so nothing from the outside world is ever pasted into shell code.
pub fn init(shell: Shell, attach: bool) -> String {
    let flag = u8::from(attach);
    match shell {
        Shell::Bash => format!("__thanos_tmux_attach={flag}\n{BASH_INIT}"),
        Shell::Zsh => format!("__thanos_tmux_attach={flag}\n{ZSH_INIT}"),
        Shell::Fish => format!("set -g __thanos_tmux_attach {flag}\n{FISH_COMPLETION}{FISH_INIT}"),
    }
}

/// `thanos-tmux completions SHELL`: the completion alone, in the form each shell
/// loads from its completion folder (for zsh an fpath file named `_thanos-tmux`).
pub fn completion(shell: Shell) -> String {
    match shell {
        Shell::Bash => BASH_COMPLETION.to_string(),
        Shell::Zsh => format!("#compdef thanos-tmux\n{ZSH_COMPLETION}\n_thanos_tmux \"$@\"\n"),
        Shell::Fish => FISH_COMPLETION.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_sets_the_attach_flag_first() {
        assert!(init(Shell::Bash, true).starts_with("__thanos_tmux_attach=1\n"));
        assert!(init(Shell::Zsh, false).starts_with("__thanos_tmux_attach=0\n"));
        assert!(init(Shell::Fish, false).starts_with("set -g __thanos_tmux_attach 0\n"));
    }

    #[test]
    fn init_includes_completion_and_integration() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let text = init(shell, true);
            assert!(text.contains("__thanos_tmux_start"), "{shell:?}");
            let loads = text.contains("list --names")
                || text.contains(&format!("completions {shell:?}").to_lowercase());
            assert!(loads, "{shell:?} gets no completion");
        }
    }
}
