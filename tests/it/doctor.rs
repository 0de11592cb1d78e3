//! `doctor` reads what the user really has: rc files and what they source, oh-my-zsh's
//! custom folder, and whether zsh has a completion system to complete with.

use crate::support::*;
use std::fs;

const ZSH_LINE: &str = "command -v thanos-tmux >/dev/null && eval \"$(thanos-tmux init zsh)\"\n";

/// `doctor`'s lines about the shell.
fn shell_lines(sb: &Sandbox) -> Vec<String> {
    let out = sb.run(&["doctor"]);
    stdout(&out)
        .lines()
        .filter(|l| l.contains("shell integration") || l.contains("complet"))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_integration_is_found_in_a_sourced_file_and_in_oh_my_zsh_custom() {
    // ~/.zshrc sources a file of the user's that holds the line.
    let sb = Sandbox::new();
    let zsh_dir = sb.mkdir(".config/zsh");
    fs::write(zsh_dir.join("tools.zsh"), ZSH_LINE).unwrap();
    fs::write(
        sb.home.join(".zshrc"),
        "autoload -Uz compinit && compinit\nsource ~/.config/zsh/tools.zsh\n",
    )
    .unwrap();
    let lines = shell_lines(&sb);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("✔ shell integration in") && l.contains("tools.zsh")),
        "{lines:?}"
    );

    // oh-my-zsh: the line is in its custom folder, which it loads by itself.
    let sb = Sandbox::new();
    let custom = sb.mkdir(".oh-my-zsh/custom");
    fs::write(sb.home.join(".oh-my-zsh/oh-my-zsh.sh"), "# oh-my-zsh\n").unwrap();
    fs::write(custom.join("thanos.zsh"), ZSH_LINE).unwrap();
    fs::write(
        sb.home.join(".zshrc"),
        "export ZSH=\"$HOME/.oh-my-zsh\"\nplugins=(git)\nsource $ZSH/oh-my-zsh.sh\n",
    )
    .unwrap();
    let lines = shell_lines(&sb);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("✔ shell integration in") && l.contains("custom/thanos.zsh")),
        "{lines:?}"
    );
    // oh-my-zsh runs compinit itself: no warning about completion.
    assert!(
        lines.iter().any(|l| l.starts_with("✔ completions")),
        "{lines:?}"
    );
}

#[test]
fn zsh_without_a_completion_system_is_a_warning_naming_the_line_to_add() {
    let sb = Sandbox::new();
    fs::write(sb.home.join(".zshrc"), ZSH_LINE).unwrap();
    let lines = shell_lines(&sb);
    let warning = lines
        .iter()
        .find(|l| l.starts_with("! zsh loads no completion system"))
        .unwrap_or_else(|| panic!("no warning: {lines:?}"));
    assert!(
        warning.contains("autoload -Uz compinit && compinit")
            && warning.contains(&sb.home.join(".zshrc").display().to_string()),
        "{warning}"
    );
    // With compinit there is nothing to say.
    fs::write(
        sb.home.join(".zshrc"),
        format!("autoload -Uz compinit && compinit\n{ZSH_LINE}"),
    )
    .unwrap();
    let lines = shell_lines(&sb);
    assert!(
        lines.iter().any(|l| l.starts_with("✔ completions")),
        "{lines:?}"
    );
    // bash needs nothing of the kind.
    let sb = Sandbox::new();
    fs::write(
        sb.home.join(".bashrc"),
        "command -v thanos-tmux >/dev/null && eval \"$(thanos-tmux init bash)\"\n",
    )
    .unwrap();
    let lines = shell_lines(&sb);
    assert!(
        lines.iter().any(|l| l.starts_with("✔ completions")),
        "{lines:?}"
    );
}
