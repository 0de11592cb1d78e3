//! What the user's shell rc files hold, as `doctor` reads them: each rc file, the files
//! it sources (one level deep), and oh-my-zsh's custom folder when it loads oh-my-zsh.

use std::path::{Path, PathBuf};

/// One shell's rc files as read.
pub struct Shell {
    /// `zsh`, `bash` or `fish`.
    pub name: &'static str,
    /// Every file read, the rc files first, then what they source.
    pub files: Vec<(PathBuf, String)>,
}

impl Shell {
    /// The files that hold the shell integration (`thanos-tmux init`).
    pub fn integrated(&self) -> Vec<&Path> {
        self.files
            .iter()
            .filter(|(_, text)| text.contains("thanos-tmux init"))
            .map(|(path, _)| path.as_path())
            .collect()
    }

    /// True when any file read holds `word`.
    pub fn mentions(&self, word: &str) -> bool {
        self.files.iter().any(|(_, text)| text.contains(word))
    }
}

/// The rc files of zsh, bash and fish under the current HOME, with what they source.
pub fn read() -> Vec<Shell> {
    let var = |key: &str| {
        std::env::var_os(key)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let home = var("HOME").unwrap_or_default();
    let zdot = var("ZDOTDIR").unwrap_or_else(|| home.clone());
    let xdg = var("XDG_CONFIG_HOME").unwrap_or_else(|| home.join(".config"));
    let fish_conf_d: Vec<PathBuf> = std::fs::read_dir(xdg.join("fish/conf.d"))
        .map(|dir| dir.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    let mut fish = vec![xdg.join("fish/config.fish")];
    fish.extend(fish_conf_d);
    vec![
        shell(
            "zsh",
            &home,
            vec![zdot.join(".zshenv"), zdot.join(".zshrc")],
        ),
        shell(
            "bash",
            &home,
            vec![
                home.join(".bashrc"),
                home.join(".bash_profile"),
                home.join(".profile"),
            ],
        ),
        shell("fish", &home, fish),
    ]
}

fn shell(name: &'static str, home: &Path, rc: Vec<PathBuf>) -> Shell {
    let mut files: Vec<(PathBuf, String)> = rc
        .into_iter()
        .filter_map(|path| Some((path.clone(), std::fs::read_to_string(&path).ok()?)))
        .collect();
    let mut sourced = Vec::new();
    for (_, text) in &files {
        let zsh_dir = assigned(text, "ZSH");
        for target in sourced_files(text, home, zsh_dir.as_deref()) {
            // oh-my-zsh loads every `*.zsh` of its custom folder itself.
            if target.ends_with("oh-my-zsh.sh") {
                let custom = std::env::var_os("ZSH_CUSTOM")
                    .map(PathBuf::from)
                    .or_else(|| Some(target.parent()?.join("custom")));
                if let Some(Ok(dir)) = custom.map(std::fs::read_dir) {
                    let mut custom: Vec<PathBuf> = dir
                        .flatten()
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|e| e == "zsh"))
                        .collect();
                    custom.sort();
                    sourced.extend(custom);
                }
            }
            sourced.push(target);
        }
    }
    for path in sourced {
        if files.iter().any(|(p, _)| *p == path) {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(&path) {
            files.push((path, text));
        }
    }
    Shell { name, files }
}

/// The files a script sources (`source FILE`, `. FILE`), with `~`, `$HOME` and `$ZSH`
/// expanded; lines with other variables or commands are left out.
fn sourced_files(text: &str, home: &Path, zsh_dir: Option<&str>) -> Vec<PathBuf> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            let rest = line
                .strip_prefix("source ")
                .or_else(|| line.strip_prefix(". "))?;
            let word = rest.split_whitespace().next()?.trim_matches(['"', '\'']);
            let home = home.to_string_lossy();
            let mut path = word.replace("${HOME}", &home).replace("$HOME", &home);
            if let Some(zsh) = zsh_dir {
                path = path.replace("${ZSH}", zsh).replace("$ZSH", zsh);
            }
            if let Some(rest) = path.strip_prefix("~/") {
                path = format!("{home}/{rest}");
            }
            (path.starts_with('/') && !path.contains('$') && !path.contains('`'))
                .then(|| PathBuf::from(path))
        })
        .collect()
}

/// The value a script gives `name` (`export ZSH="$HOME/.oh-my-zsh"`), with `$HOME`
/// expanded; the environment's value when the script gives none.
fn assigned(text: &str, name: &str) -> Option<String> {
    let home = std::env::var("HOME").unwrap_or_default();
    let from_text = text.lines().find_map(|line| {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        let value = line.strip_prefix(name)?.strip_prefix('=')?;
        Some(
            value
                .trim_matches(['"', '\''])
                .replace("${HOME}", &home)
                .replace("$HOME", &home),
        )
    });
    from_text.or_else(|| std::env::var(name).ok().filter(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sourced_files_are_read_with_home_and_zsh_expanded() {
        let home = Path::new("/home/u");
        let text = "source ~/.config/zsh/a.zsh\n. \"$HOME/b.sh\"\n  source ${HOME}/c\nsource $ZSH/oh-my-zsh.sh\nsource $OTHER/x\nsource relative.sh\necho source ~/no\n";
        assert_eq!(
            sourced_files(text, home, Some("/home/u/.oh-my-zsh")),
            [
                "/home/u/.config/zsh/a.zsh",
                "/home/u/b.sh",
                "/home/u/c",
                "/home/u/.oh-my-zsh/oh-my-zsh.sh"
            ]
            .map(PathBuf::from)
        );
        assert_eq!(
            assigned("export ZSH=\"/opt/omz\"\n", "ZSH").as_deref(),
            Some("/opt/omz")
        );
    }
}
