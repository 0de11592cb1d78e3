//! The `thanos-tmux` binary: parse, run, print one error line, exit with SPEC §2's code.

use clap::Parser;
use thanos_tmux::{cli::Cli, cmd, error};

fn main() {
    if let Some(code) = fast_init() {
        std::process::exit(code);
    }
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

/// `init SHELL [--no-attach]` runs at every shell start: answer it before clap is even
/// set up. Anything unusual falls through to the full parser.
fn fast_init() -> Option<i32> {
    let mut args = std::env::args_os().skip(1);
    if args.next()? != "init" {
        return None;
    }
    // clap's own value parser for the enum: no list of shells written twice.
    let shell =
        <thanos_tmux::cli::Shell as clap::ValueEnum>::from_str(args.next()?.to_str()?, false)
            .ok()?;
    let attach = match args.next() {
        None => true,
        Some(flag) if flag == "--no-attach" && args.next().is_none() => false,
        Some(_) => return None,
    };
    let text = thanos_tmux::snippet::init(shell, attach);
    Some(match thanos_tmux::ui::out(&text) {
        Ok(()) => error::exit::OK,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => error::exit::OK,
        Err(err) => {
            eprintln!("thanos-tmux: {err}");
            error::exit::ERROR
        }
    })
}
