//! The `thanos-tmux` binary: parse, run, print one error line, exit with SPEC §2's code.

use clap::Parser;
use thanos_tmux::{cli::Cli, cmd, error};

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            std::process::exit(if err.use_stderr() {
                error::exit::USAGE
            } else {
                error::exit::OK
            });
        }
    };
    let code = match cmd::run(cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => error::exit::OK,
        Err(err) => {
            eprintln!("thanos-tmux: {}", one_line(&err));
            error::exit_code(&err)
        }
    };
    std::process::exit(code);
}

/// `list | head`: the reader went away; nothing to say.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

/// The error and its context on one line.
fn one_line(err: &anyhow::Error) -> String {
    format!("{err:#}").replace('\n', " ")
}
