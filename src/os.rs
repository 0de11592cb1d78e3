//! What the crate asks of the operating system beyond std's portable API: the clock,
//! private files and folders, ids, locks, signals, a non-blocking connect. Each
//! `unsafe` block of the crate is here, with why it is sound.

use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::os::unix::io::{AsRawFd, FromRawFd};
use std::os::unix::net::UnixStream;
use std::path::Path;

/// Seconds since the Unix epoch.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Writes a small private file (0600) in the state folder, replacing what was there.
pub(crate) fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?
        .write_all(contents)
}

/// Creates a private folder (0700), its missing parents as usual; an existing one is
/// fine.
pub(crate) fn create_private_dir(path: &Path) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    match fs::DirBuilder::new().mode(0o700).create(path) {
        Err(err) if err.kind() == ErrorKind::AlreadyExists => Ok(()),
        other => other,
    }
}

/// This process's real user id.
pub(crate) fn uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// The id of this process's parent (for the shell that ran us).
pub(crate) fn parent_pid() -> i32 {
    // SAFETY: getppid has no preconditions and cannot fail.
    unsafe { libc::getppid() }
}

/// The machine's host name, up to its first `.`; empty when it cannot be read.
pub(crate) fn short_host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its whole length; gethostname NUL-terminates or
    // truncates, and we stop at the first NUL.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return String::new();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    let full = String::from_utf8_lossy(&buf[..end]);
    full.split('.').next().unwrap_or("").to_string()
}

/// Waits for an exclusive `flock` on `file`; it is released when the file is closed.
pub(crate) fn lock(file: &File) -> io::Result<()> {
    // SAFETY: flock on a descriptor `file` owns for as long as the call lasts.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Takes an exclusive `flock` on `file` if no one holds one; false when someone does.
pub(crate) fn try_lock(file: &File) -> bool {
    // SAFETY: flock on a descriptor `file` owns for as long as the call lasts.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

/// SIGTERM to a process group (tmux makes each pane its own), else to the process.
pub(crate) fn terminate(pid: u32) {
    let Ok(pid) = i32::try_from(pid) else { return };
    // SAFETY: kill has no memory preconditions; a pid that is gone makes it fail.
    unsafe {
        if libc::kill(-pid, libc::SIGTERM) != 0 {
            libc::kill(pid, libc::SIGTERM);
        }
    }
}

/// Goes on when the terminal hangs up (a logout that closes its terminal).
pub(crate) fn ignore_hangup() {
    // SAFETY: setting a signal's disposition to SIG_IGN has no preconditions.
    unsafe { libc::signal(libc::SIGHUP, libc::SIG_IGN) };
}

/// Clock ticks per second and the page size in bytes, as the kernel counts
/// process times and memory.
pub(crate) fn ticks_and_page_size() -> (i64, i64) {
    // SAFETY: sysconf has no preconditions.
    unsafe {
        (
            libc::sysconf(libc::_SC_CLK_TCK),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    }
}

/// Connects without waiting: a server too busy to take the connection (its queue
/// full) is `WouldBlock` at once, where a plain connect would wait for as long as the
/// server does. The stream returned blocks as usual.
pub(crate) fn connect_now(socket: &Path) -> io::Result<UnixStream> {
    let path = socket.as_os_str().as_bytes();
    // SAFETY: sockaddr_un is plain data; the path is checked to fit with its NUL.
    let mut addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    if path.len() >= addr.sun_path.len() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "socket path too long",
        ));
    }
    addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
    for (slot, byte) in addr.sun_path.iter_mut().zip(path) {
        *slot = *byte as libc::c_char;
    }
    // SAFETY: a fresh descriptor is owned by the UnixStream at once (closed on every
    // path); connect reads `addr` within the length given.
    unsafe {
        let fd = libc::socket(libc::AF_UNIX, libc::SOCK_STREAM, 0);
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let stream = UnixStream::from_raw_fd(fd);
        libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
        stream.set_nonblocking(true)?;
        let len = std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t;
        if libc::connect(fd, &addr as *const _ as *const libc::sockaddr, len) != 0 {
            return Err(io::Error::last_os_error());
        }
        stream.set_nonblocking(false)?;
        Ok(stream)
    }
}
