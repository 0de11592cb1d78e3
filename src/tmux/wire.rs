//! tmux's client protocol, spoken directly to a running server: the same messages the
//! `tmux` client sends for one command (identify, command, exit), without starting a
//! tmux process. A command costs one socket round trip instead of a process that loads
//! tmux's libraries and locale first; that is most of a command's time at login.
//!
//! The messages are tmux's `imsg` frames (protocol version 8, spoken by every tmux from
//! 3.2 to master): a 16-byte header and a body. The header changed inside version 8:
//! up to tmux 3.5 it is (type u32, length u16, flags u16, peer id, pid), from 3.6 on
//! (type, length u32, peer id, pid), with a message that carries a file descriptor
//! marked in the length's high bit. This client never sends a descriptor (tmux's own
//! client passes its stdin and stdout; a command client without a terminal does not
//! need them, and the server treats it the same), so every frame it sends has flags 0
//! and reads the same under both headers on a little-endian machine. It sends only the
//! messages tmux's client sends for a command, each of the size every version checks
//! for (a wrong size makes some versions' servers exit), and never a frame over tmux's
//! limit. A server of another protocol answers `MSG_VERSION` and the command goes to
//! the binary. Anything this module does not understand before the command went out is
//! reported as [`Outcome::Unavailable`], and the caller runs the `tmux` binary instead,
//! which gives the user tmux's own message.

use std::ffi::OsStr;
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

const PROTOCOL_VERSION: u32 = 8;
const HEADER: usize = 16;
/// tmux refuses frames larger than this (`MAX_IMSGSIZE`).
pub(super) const MAX_FRAME: usize = 16384;
/// The most output taken from one command; a server that sends more is flooding.
const MAX_OUTPUT: usize = 16 << 20;

const MSG_VERSION: u32 = 12;
const IDENTIFY_FLAGS: u32 = 100;
const IDENTIFY_TERM: u32 = 101;
const IDENTIFY_TTYNAME: u32 = 102;
const IDENTIFY_ENVIRON: u32 = 105;
const IDENTIFY_DONE: u32 = 106;
const IDENTIFY_CLIENTPID: u32 = 107;
const IDENTIFY_CWD: u32 = 108;
const IDENTIFY_FEATURES: u32 = 109;
const IDENTIFY_LONGFLAGS: u32 = 111;
const MSG_COMMAND: u32 = 200;
const MSG_EXIT: u32 = 203;
const MSG_SHUTDOWN: u32 = 210;
const MSG_READ_OPEN: u32 = 300;
const MSG_READ_DONE: u32 = 302;
const MSG_WRITE_OPEN: u32 = 303;
const MSG_WRITE: u32 = 304;
const MSG_WRITE_READY: u32 = 305;

/// Client flags tmux's own client would send: UTF-8 output (as `tmux -u`), and whether
/// the default socket was chosen.
const CLIENT_UTF8: u64 = 0x10000;
const CLIENT_DEFAULTSOCKET: u64 = 0x800_0000;

/// What became of a command.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The server ran it: its exit status and what it wrote to stdout and stderr.
    Done {
        ok: bool,
        stdout: Vec<u8>,
        stderr: Vec<u8>,
    },
    /// No server listens on the socket: nothing was sent.
    NoServer,
    /// Nothing was sent that the server acted on (a server too busy to connect to,
    /// another protocol version, a command too long for one frame): run the `tmux`
    /// binary instead.
    Unavailable,
    /// The command went out but the server did not finish answering.
    Lost(String),
    /// No answer within the limit.
    TimedOut,
    /// The server sent more output than any command of ours makes.
    Flood,
    /// The server sent something that is not tmux's protocol (a frame of an impossible
    /// length, say).
    Garbled,
}

/// Runs one command line (`args`, with `;` separators as tmux's client takes them) on
/// the server at `socket`.
pub(crate) fn run(
    socket: &Path,
    args: &[String],
    default_socket: bool,
    limit: Option<Duration>,
) -> Outcome {
    // The two headers read alike only in little-endian byte order.
    if cfg!(target_endian = "big") {
        return Outcome::Unavailable;
    }
    let stream = match crate::os::connect_now(socket) {
        Ok(stream) => stream,
        Err(err) if err.kind() == io::ErrorKind::WouldBlock => return Outcome::Unavailable,
        Err(_) => return Outcome::NoServer,
    };
    let Some(command) = command_frame(args) else {
        return Outcome::Unavailable;
    };
    let deadline = limit.map(|l| Instant::now() + l);
    if stream.set_write_timeout(limit).is_err() {
        return Outcome::Unavailable;
    }
    let mut hello = identify(default_socket);
    hello.extend_from_slice(&command);
    if (&stream).write_all(&hello).is_err() {
        return Outcome::Unavailable;
    }
    answer(&stream, deadline)
}

/// The identify messages, as tmux's client sends them for a command without a terminal,
/// less the two that pass its stdin and stdout: no terminal name, this process's folder
/// and environment (a new session takes them over, as from `tmux new-session`).
fn identify(default_socket: bool) -> Vec<u8> {
    let flags = CLIENT_UTF8
        | if default_socket {
            CLIENT_DEFAULTSOCKET
        } else {
            0
        };
    // A frame over tmux's limit makes the server drop the client (older ones exit), so
    // whatever comes from outside is sent only when it fits.
    let fits = |text: &OsStr| HEADER + text.len() < MAX_FRAME;
    let term = std::env::var_os("TERM")
        .filter(|t| fits(t))
        .unwrap_or_default();
    let cwd = client_cwd()
        .filter(|c| fits(c))
        .unwrap_or_else(|| "/".into());

    let mut out = Vec::new();
    frame(&mut out, IDENTIFY_FLAGS, &(flags as i32).to_ne_bytes());
    frame(&mut out, IDENTIFY_LONGFLAGS, &flags.to_ne_bytes());
    frame(&mut out, IDENTIFY_TERM, &c_string(&term));
    frame(&mut out, IDENTIFY_FEATURES, &0i32.to_ne_bytes());
    frame(&mut out, IDENTIFY_TTYNAME, b"\0");
    frame(&mut out, IDENTIFY_CWD, &c_string(&cwd));
    frame(
        &mut out,
        IDENTIFY_CLIENTPID,
        &(std::process::id() as i32).to_ne_bytes(),
    );
    for (key, value) in std::env::vars_os() {
        let mut entry = key.as_bytes().to_vec();
        entry.push(b'=');
        entry.extend_from_slice(value.as_bytes());
        entry.retain(|&b| b != 0);
        entry.push(0);
        // tmux's client skips what does not fit a frame, too.
        if HEADER + entry.len() <= MAX_FRAME {
            frame(&mut out, IDENTIFY_ENVIRON, &entry);
        }
    }
    frame(&mut out, IDENTIFY_DONE, &[]);
    out
}

/// The folder tmux's client reports: `$PWD` when it is this process's folder (it keeps
/// the user's symlinks), else the real one, else `$HOME`.
fn client_cwd() -> Option<std::ffi::OsString> {
    use std::os::unix::fs::MetadataExt;
    let real = std::env::current_dir().ok();
    let same = |a: &Path, b: &Path| match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    };
    if let (Some(pwd), Some(real)) = (std::env::var_os("PWD"), &real) {
        if Path::new(&pwd).is_absolute() && same(Path::new(&pwd), real) {
            return Some(pwd);
        }
    }
    real.map(Into::into).or_else(|| std::env::var_os("HOME"))
}

/// Reads the server's answer to the end: output streams opened, written and the exit.
fn answer(stream: &UnixStream, deadline: Option<Instant>) -> Outcome {
    let mut reader = Frames::default();
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    // Output streams the server opened: (stream id, fd 1 or 2).
    let mut streams: Vec<(i32, i32)> = Vec::new();
    loop {
        if stdout.len() + stderr.len() > MAX_OUTPUT {
            return Outcome::Flood;
        }
        let (kind, body) = match reader.next(stream, deadline) {
            Ok(frame) => frame,
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Outcome::TimedOut
            }
            Err(err) if err.kind() == io::ErrorKind::InvalidData => return Outcome::Garbled,
            Err(_) => return Outcome::Lost("lost server".into()),
        };
        // The first field: the stream of a read or write message, the status of an exit.
        let first = int_at(&body, 0);
        let replied = match kind {
            MSG_VERSION => return Outcome::Unavailable,
            // `{stream, fd, flags}`, then a path: only our stdout and stderr are taken
            // (the server waits for this answer before it writes); a file is refused.
            MSG_WRITE_OPEN => {
                let fd = int_at(&body, 4);
                let error = if fd == 1 || fd == 2 {
                    streams.push((first, fd));
                    0
                } else {
                    libc::EBADF
                };
                reply(stream, MSG_WRITE_READY, first, error)
            }
            MSG_WRITE => {
                let data = body.get(4..).unwrap_or_default();
                match streams.iter().find(|(id, _)| *id == first) {
                    Some((_, 2)) => stderr.extend_from_slice(data),
                    Some(_) => stdout.extend_from_slice(data),
                    None => {}
                }
                Ok(())
            }
            // Nothing here has input to give: a read of stdin or of a file fails.
            MSG_READ_OPEN => reply(stream, MSG_READ_DONE, first, libc::EBADF),
            MSG_EXIT => {
                return Outcome::Done {
                    ok: first == 0,
                    stdout,
                    stderr,
                }
            }
            MSG_SHUTDOWN => return Outcome::Lost("server exited".into()),
            _ => Ok(()),
        };
        if replied.is_err() {
            return Outcome::Lost("lost server".into());
        }
    }
}

/// Answers a stream's opening: `{stream, error}` (0 when it is taken).
fn reply(stream: &UnixStream, kind: u32, stream_id: i32, error: i32) -> io::Result<()> {
    let mut out = Vec::new();
    frame(
        &mut out,
        kind,
        &[stream_id.to_ne_bytes(), error.to_ne_bytes()].concat(),
    );
    (&*stream).write_all(&out)
}

/// `MSG_COMMAND`: argc, then the arguments each ending in NUL. None when it would not
/// fit one frame (the `tmux` binary then says "command too long").
fn command_frame(args: &[String]) -> Option<Vec<u8>> {
    let mut body = (i32::try_from(args.len()).ok()?).to_ne_bytes().to_vec();
    for arg in args {
        if arg.as_bytes().contains(&0) {
            return None;
        }
        body.extend_from_slice(arg.as_bytes());
        body.push(0);
    }
    if HEADER + body.len() > MAX_FRAME {
        return None;
    }
    let mut out = Vec::with_capacity(HEADER + body.len());
    frame(&mut out, MSG_COMMAND, &body);
    Some(out)
}

/// Appends one frame: header (type, length, flags 0, peer id, pid = -1) and body. The
/// callers keep bodies under `MAX_FRAME`. With flags 0, the old header's length and
/// flags (u16, u16) and the new one's length (u32) hold the same bytes.
pub(super) fn frame(out: &mut Vec<u8>, kind: u32, body: &[u8]) {
    let len = (HEADER + body.len()) as u16;
    out.extend_from_slice(&kind.to_ne_bytes());
    out.extend_from_slice(&len.to_ne_bytes());
    out.extend_from_slice(&0u16.to_ne_bytes());
    out.extend_from_slice(&PROTOCOL_VERSION.to_ne_bytes());
    out.extend_from_slice(&u32::MAX.to_ne_bytes());
    out.extend_from_slice(body);
}

fn c_string(text: &OsStr) -> Vec<u8> {
    let mut bytes: Vec<u8> = text
        .as_bytes()
        .iter()
        .copied()
        .filter(|&b| b != 0)
        .collect();
    bytes.push(0);
    bytes
}

fn int_at(body: &[u8], at: usize) -> i32 {
    body.get(at..at + 4)
        .map(|b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
        .unwrap_or(0)
}

/// Reassembles frames from the byte stream.
#[derive(Default)]
struct Frames {
    buffer: Vec<u8>,
}

impl Frames {
    /// The next frame, read by `deadline`: a server that dribbles bytes gets no more
    /// time than one that sends nothing.
    fn next(
        &mut self,
        mut stream: &UnixStream,
        deadline: Option<Instant>,
    ) -> io::Result<(u32, Vec<u8>)> {
        loop {
            if let Some(frame) = self.take()? {
                return Ok(frame);
            }
            if let Some(deadline) = deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::ErrorKind::TimedOut.into());
                }
                stream.set_read_timeout(Some(left))?;
            }
            let mut chunk = [0u8; 65536];
            // With a receive timeout set, Linux does not restart a read a signal cut
            // short (a Ctrl-Z and `fg`, say): go on reading.
            let n = match stream.read(&mut chunk) {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                other => other?,
            };
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            self.buffer.extend_from_slice(&chunk[..n]);
        }
    }

    /// The first whole frame in the buffer, if there is one. A length no tmux sends
    /// (under a header, over its limit) is `InvalidData` at once, not a wait for bytes
    /// that will never come.
    fn take(&mut self) -> io::Result<Option<(u32, Vec<u8>)>> {
        if self.buffer.len() < HEADER {
            return Ok(None);
        }
        let word = |at: usize| {
            u32::from_ne_bytes([
                self.buffer[at],
                self.buffer[at + 1],
                self.buffer[at + 2],
                self.buffer[at + 3],
            ])
        };
        let kind = word(0);
        // The length: u16 and flags u16 (to tmux 3.5), or u32 with the descriptor mark
        // in its high bit (3.6 on). A server sends no descriptor, so both read alike.
        let len = (word(4) & 0x7fff_ffff) as usize;
        if !(HEADER..=MAX_FRAME).contains(&len) {
            return Err(io::ErrorKind::InvalidData.into());
        }
        if self.buffer.len() < len {
            return Ok(None);
        }
        let body = self.buffer[HEADER..len].to_vec();
        self.buffer.drain(..len);
        Ok(Some((kind, body)))
    }
}

#[cfg(test)]
mod tests;
