//! The `thanos-tmux` binary: parse the command line, run it on the library, print one
//! error line, exit with the code of what happened.

mod cli;
mod cmd;
mod exit;
mod picker;
mod snippet;
mod ui;

use clap::Parser;
use cli::Cli;
use exit::Exit;

fn main() {
    if let Some(code) = fast_init() {
        std::process::exit(code);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            match first_word().and_then(|w| Some((cli::mistyped_command(&w)?, w))) {
                // `kil web`: the typo, not clap's "unexpected argument 'web'".
                Some((meant, word)) if err.use_stderr() => {
                    eprintln!("thanos-tmux: {}", cli::mistyped_message(&word, &meant));
                }
                _ => {
                    let _ = err.print();
                }
            }
            let exit = if err.use_stderr() {
                Exit::Usage
            } else {
                Exit::Ok
            };
            std::process::exit(exit.code());
        }
    };
    let exit = match cmd::run(cli) {
        Ok(exit) => exit,
        Err(err) if is_broken_pipe(&err) => Exit::Ok,
        Err(err) => {
            eprintln!("thanos-tmux: {}", one_line(&err));
            Exit::of(&err)
        }
    };
    std::process::exit(exit.code());
}

/// The first word of the command line that is neither an option nor an option's value.
fn first_word() -> Option<String> {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-L" | "-S" | "-c" | "--socket-name" | "--socket-path" | "--dir" | "--color" => {
                args.next();
            }
            flag if flag.starts_with('-') => {}
            _ => return Some(arg),
        }
    }
    None
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
    let shell = <cli::Shell as clap::ValueEnum>::from_str(args.next()?.to_str()?, false).ok()?;
    let attach = match args.next() {
        None => true,
        Some(flag) if flag == "--no-attach" && args.next().is_none() => false,
        Some(_) => return None,
    };
    let text = snippet::init(shell, attach);
    let exit = match ui::out(&text) {
        Ok(()) => Exit::Ok,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok,
        Err(err) => {
            eprintln!("thanos-tmux: {err}");
            Exit::Error
        }
    };
    Some(exit.code())
}
