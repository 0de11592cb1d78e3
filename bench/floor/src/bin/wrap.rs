//! The least a wrapper around tmux can do: run `tmux ARGS...` once, capture its output,
//! print it and exit with its status. bench/run times it to show what part of a ratio
//! one extra process costs, whatever the wrapper does.

use std::io::Write;
use std::process::{Command, Stdio};

fn main() {
    let out = Command::new("tmux")
        .args(std::env::args_os().skip(1))
        .stdin(Stdio::null())
        .output()
        .expect("cannot run tmux");
    let _ = std::io::stdout().write_all(&out.stdout);
    let _ = std::io::stderr().write_all(&out.stderr);
    std::process::exit(out.status.code().unwrap_or(1));
}
