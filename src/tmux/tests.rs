use super::batch::{MAX_BATCH_ARGS, MAX_BATCH_BYTES};
use super::*;
use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};

/// Reads a client's frames up to and including its command (type 200).
fn read_command(stream: &mut UnixStream) {
    let mut buffer = Vec::new();
    loop {
        let mut at = 0;
        while buffer.len() >= at + 16 {
            let kind = u32::from_ne_bytes(buffer[at..at + 4].try_into().unwrap());
            let len = u16::from_ne_bytes(buffer[at + 4..at + 6].try_into().unwrap());
            if kind == 200 && buffer.len() >= at + usize::from(len) {
                return;
            }
            at += usize::from(len);
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "the client hung up before its command");
        buffer.extend_from_slice(&chunk[..n]);
    }
}

/// A real tmux server, of the tmux on PATH, on a socket of its own; ended on drop.
struct Server {
    dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::Builder::new()
            .prefix("thanos-unit.")
            .tempdir_in("/tmp")
            .unwrap();
        let server = Server { dir };
        let started = server
            .raw()
            .args([
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "keep",
                "sleep 600",
            ])
            .status()
            .unwrap();
        assert!(started.success());
        server
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("sock")
    }

    /// `tmux -S SOCKET`, not through the code under test.
    #[allow(clippy::disallowed_methods)] // the test's own view of the server
    fn raw(&self) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.arg("-S")
            .arg(self.socket())
            .env_remove("TMUX")
            .env_remove("TMUX_PANE");
        cmd
    }

    fn alive(&self) -> bool {
        let out = self
            .raw()
            .args(["list-panes", "-a", "-F", "#{pane_dead}"])
            .output()
            .unwrap();
        out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "0"
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.raw().arg("kill-server").status();
    }
}

/// The benchmark sends raw tmux the same words as thanos-tmux; its copy of them
/// must follow the code.
#[test]
fn the_benchmark_words_match_the_code() {
    let words: serde_json::Value =
        serde_json::from_str(include_str!("../../bench/tmux-words.json")).unwrap();
    assert_eq!(words["tmux::format::SESSIONS"], format::SESSIONS);
    assert_eq!(words["tmux::format::PANES"], format::PANES);
    assert_eq!(words["tmux::MAX_BATCH_BYTES"], MAX_BATCH_BYTES);
    assert_eq!(words["tmux::MAX_BATCH_ARGS"], MAX_BATCH_ARGS);
    assert_eq!(words["hooks::INDEX"], crate::hooks::INDEX);
    assert_eq!(words.as_object().map(|o| o.len()), Some(5), "{words}");
}

#[test]
fn commands_that_ask_the_client_for_input_or_files_leave_the_server_alive() {
    let server = Server::start();
    let tmux = Tmux::new(Socket::Path(server.socket()), false);
    // The server asks for stdin, which this client never sends: refused, not hung.
    let _ = tmux.run(&Batch::new().cmd(["load-buffer", "-"]));
    assert!(server.alive(), "after load-buffer -");
    tmux.run(&Batch::new().cmd(["set-buffer", "-b", "t", "hello"]))
        .unwrap();
    // The server asks to write a file through the client: refused as well.
    let _ = tmux.run(&Batch::new().cmd(["save-buffer", "-b", "t", "/dev/stdout"]));
    assert!(server.alive(), "after save-buffer to the client's stdout");
    let names = tmux
        .run(&Batch::new().list_sessions(format::NAMES))
        .unwrap();
    assert_eq!(format::parse_names(&names).unwrap(), ["keep"]);
}

#[test]
fn a_query_the_server_hangs_up_on_once_is_asked_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sock");
    let listener = UnixListener::bind(&path).unwrap();
    let server = std::thread::spawn(move || {
        // First connection: the command arrives, the server hangs up.
        let (mut first, _) = listener.accept().unwrap();
        read_command(&mut first);
        drop(first);
        // Second: it answers, with "work" on stdout and exit status 0.
        let (mut second, _) = listener.accept().unwrap();
        read_command(&mut second);
        let mut answer = Vec::new();
        for (kind, body) in [
            (303u32, [1i32, 1, 0].map(i32::to_ne_bytes).concat()),
            (304, [&1i32.to_ne_bytes()[..], b"work\n"].concat()),
            (203, 0i32.to_ne_bytes().to_vec()),
        ] {
            wire::frame(&mut answer, kind, &body);
        }
        second.write_all(&answer).unwrap();
        let _ = std::io::copy(&mut second, &mut std::io::sink());
    });
    let mut tmux = Tmux::new(Socket::Path(path), false);
    // Over the socket even where the environment asks for the binary.
    tmux.wire = true;
    let batch = Batch::new().cmd(["list-sessions", "-F", "#{session_name}"]);
    assert_eq!(tmux.query(&batch).unwrap().as_deref(), Some("work\n"));
    server.join().unwrap();
}

#[test]
fn packing_respects_the_size_limit() {
    let big: Vec<Batch> = (0..50)
        .map(|i| {
            Batch::new().cmd([
                "new-session",
                "-d",
                "-s",
                &format!("s{i}"),
                "-c",
                &"x".repeat(1000),
            ])
        })
        .collect();
    let calls = Batch::pack(big);
    assert!(calls.len() > 1);
    assert!(calls.iter().all(|c| c.size() <= MAX_BATCH_BYTES));
    let sessions: usize = calls
        .iter()
        .map(|c| format!("{c:?}").matches("new-session").count())
        .sum();
    assert_eq!(sessions, 50, "every session lands in exactly one call");
    // One session larger than a call is cut between commands.
    let huge = (0..40).fold(Batch::new(), |b, i| {
        b.cmd([
            "split-window",
            "-t",
            "=s:",
            "-c",
            &format!("{i}{}", "y".repeat(1000)),
        ])
    });
    let calls = Batch::pack(vec![huge]);
    assert!(calls.len() > 1 && calls.iter().all(|c| c.size() <= MAX_BATCH_BYTES));
}

#[test]
fn packing_respects_the_argument_limit() {
    // 60 sessions of 3 windows: far under the size limit, far over 1000 arguments.
    let many: Vec<Batch> = (0..180)
        .map(|i| Batch::new().cmd(["new-window", "-t", &format!("=s{}:", i / 3), "-c", "/"]))
        .collect();
    let calls = Batch::pack(many);
    assert!(calls.len() > 1);
    assert!(calls.iter().all(|c| c.arg_count() <= MAX_BATCH_ARGS));
    let commands: usize = calls.iter().map(|c| c.clone().into_commands().len()).sum();
    assert_eq!(commands, 180);
}
