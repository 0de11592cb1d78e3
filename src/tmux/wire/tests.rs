use super::*;
use proptest::prelude::*;
use std::os::unix::io::AsRawFd;

/// What `answer` makes of `bytes` sent by a "server" that then hangs up.
fn answer_to(bytes: Vec<u8>) -> Outcome {
    let (ours, theirs) = UnixStream::pair().unwrap();
    ours.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let server = std::thread::spawn(move || {
        let _ = (&theirs).write_all(&bytes);
        let _ = theirs.shutdown(std::net::Shutdown::Write);
        // Reads whatever the client answers, until the client is done.
        let _ = std::io::copy(&mut &theirs, &mut std::io::sink());
    });
    let outcome = answer(&ours, None);
    drop(ours);
    server.join().unwrap();
    outcome
}

/// `MSG_WRITE_OPEN` of stream `id` onto the client's `fd` (-1: a file).
fn open(bytes: &mut Vec<u8>, id: i32, fd: i32) {
    let body = [id.to_ne_bytes(), fd.to_ne_bytes(), [0; 4]].concat();
    frame(bytes, MSG_WRITE_OPEN, &body);
}

fn write(bytes: &mut Vec<u8>, id: i32, data: &[u8]) {
    frame(bytes, MSG_WRITE, &[&id.to_ne_bytes()[..], data].concat());
}

#[test]
fn output_streams_and_the_exit_status_come_back() {
    let mut bytes = Vec::new();
    open(&mut bytes, 2, 2);
    open(&mut bytes, 1, 1);
    open(&mut bytes, 3, -1);
    write(&mut bytes, 2, b"can't find session: x\n");
    write(&mut bytes, 1, b"out\n");
    // A file the server wanted written here (`save-buffer FILE`) was refused.
    write(&mut bytes, 3, b"file contents");
    frame(&mut bytes, MSG_EXIT, &1i32.to_ne_bytes());
    match answer_to(bytes) {
        Outcome::Done { ok, stdout, stderr } => {
            assert!(!ok);
            assert_eq!(stdout, b"out\n");
            assert_eq!(stderr, b"can't find session: x\n");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_frame_of_an_impossible_length_is_garbled_at_once() {
    for len in [0u32, 8, 16_385, 0x0001_0010, 0x7fff_ffff] {
        let mut bytes = MSG_EXIT.to_ne_bytes().to_vec();
        bytes.extend_from_slice(&len.to_ne_bytes());
        bytes.extend_from_slice(&[0; 8]);
        assert!(matches!(answer_to(bytes), Outcome::Garbled), "length {len}");
    }
}

#[test]
fn another_protocol_version_leaves_the_command_to_the_binary() {
    let mut bytes = Vec::new();
    frame(&mut bytes, MSG_VERSION, &[]);
    assert!(matches!(answer_to(bytes), Outcome::Unavailable));
}

#[test]
fn a_server_that_hangs_up_midway_is_lost() {
    let mut bytes = Vec::new();
    write(&mut bytes, 1, b"half");
    bytes.truncate(bytes.len() - 2);
    assert!(matches!(answer_to(bytes), Outcome::Lost(_)));
}

#[test]
fn a_server_that_takes_no_connections_is_an_error_at_once_not_a_wait() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    // SAFETY: listen on a socket we own; only its queue length changes.
    unsafe { libc::listen(listener.as_raw_fd(), 0) };
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Never accepted: the queue fills, and then a connect must fail, not wait.
        let mut held = Vec::new();
        let outcome = loop {
            match crate::os::connect_now(&path) {
                Ok(stream) if held.len() < 1000 => held.push(stream),
                Ok(_) => break None,
                Err(err) => break Some(err.kind()),
            }
        };
        let _ = done.send(outcome);
    });
    let outcome = result
        .recv_timeout(Duration::from_secs(10))
        .expect("connect waited");
    assert_eq!(outcome, Some(io::ErrorKind::WouldBlock));
    drop(listener);
}

proptest! {
    #[test]
    fn whatever_the_server_sends_the_answer_ends_without_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..400)
    ) {
        let _ = answer_to(bytes);
    }

    #[test]
    fn frames_survive_any_split(
        frames in proptest::collection::vec(
            (any::<u32>(), proptest::collection::vec(any::<u8>(), 0..64)), 0..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = Vec::new();
        for (kind, body) in &frames {
            frame(&mut bytes, *kind, body);
        }
        let cut = cut.index(bytes.len() + 1);
        let mut reader = Frames::default();
        reader.buffer.extend_from_slice(&bytes[..cut]);
        let mut seen = Vec::new();
        while let Some(f) = reader.take().unwrap() {
            seen.push(f);
        }
        reader.buffer.extend_from_slice(&bytes[cut..]);
        while let Some(f) = reader.take().unwrap() {
            seen.push(f);
        }
        prop_assert_eq!(seen, frames);
    }
}

#[test]
fn a_command_frame_is_argc_then_nul_ended_arguments() {
    let args = ["list-sessions", "-F", "#{session_name}"].map(String::from);
    let frame = command_frame(&args).unwrap();
    assert_eq!(&frame[0..4], &MSG_COMMAND.to_ne_bytes());
    assert_eq!(
        usize::from(u16::from_ne_bytes([frame[4], frame[5]])),
        frame.len()
    );
    assert_eq!(&frame[8..12], &PROTOCOL_VERSION.to_ne_bytes());
    assert_eq!(&frame[16..20], &3i32.to_ne_bytes());
    assert_eq!(&frame[20..], b"list-sessions\0-F\0#{session_name}\0");
}

#[test]
fn commands_that_do_not_fit_one_frame_or_hold_nul_are_left_to_tmux() {
    assert!(command_frame(&["x".repeat(MAX_FRAME)]).is_none());
    assert!(command_frame(&["a\0b".to_string()]).is_none());
}

#[test]
fn frames_are_reassembled_across_reads() {
    let mut bytes = Vec::new();
    frame(&mut bytes, MSG_WRITE, b"\x01\0\0\0hello\n");
    frame(&mut bytes, MSG_EXIT, &0i32.to_ne_bytes());
    let mut frames = Frames::default();
    frames.buffer.extend_from_slice(&bytes[..10]);
    assert!(frames.take().unwrap().is_none());
    frames.buffer.extend_from_slice(&bytes[10..]);
    let (kind, body) = frames.take().unwrap().unwrap();
    assert_eq!((kind, &body[4..]), (MSG_WRITE, &b"hello\n"[..]));
    assert_eq!(frames.take().unwrap().unwrap().0, MSG_EXIT);
    assert!(frames.take().unwrap().is_none());
}
