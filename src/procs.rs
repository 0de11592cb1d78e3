//! Everything read from `/proc`: resource figures of process trees, read narrowly (only
//! the processes under the given roots, found through `/proc/PID/task/TID/children`,
//! never a scan of the whole system), and what a pane's terminal has in its
//! foreground. CPU is what `ps` reports (CPU time over the process's lifetime), so
//! nothing waits to sample. Where `/proc` does not exist (macOS) the figures are
//! unknown (`None`), never a made-up zero, and a pane's program is known by name only.

use std::fs;
use std::path::{Path, PathBuf};

/// Where Linux shows its processes.
const PROC: &str = "/proc";

/// What a tree of processes uses, summed.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Usage {
    /// Processes in the tree.
    pub processes: u32,
    /// CPU over each process's lifetime, as `ps` reports it (100 is one core).
    pub cpu_percent: f64,
    /// Resident memory.
    pub memory_bytes: u64,
}

impl Usage {
    fn add(&mut self, other: Usage) {
        self.processes += other.processes;
        self.cpu_percent += other.cpu_percent;
        self.memory_bytes += other.memory_bytes;
    }
}

/// What `/proc/PID/stat` says that we use.
struct Stat {
    cpu_ticks: u64,
    start_ticks: u64,
    rss_pages: u64,
    /// The controlling terminal (`tty_nr`).
    tty: i64,
    /// That terminal's foreground process group (`tpgid`).
    tpgid: i64,
}

fn stat(root: &Path, pid: u32) -> Option<Stat> {
    let text = fs::read_to_string(root.join(pid.to_string()).join("stat")).ok()?;
    // Fields after the command name, which may hold spaces and parentheses.
    let fields: Vec<&str> = text[text.rfind(')')? + 1..].split_whitespace().collect();
    // fields[0] is field 3 (state): tty_nr 7, tpgid 8, utime 14, stime 15,
    // starttime 22, rss 24.
    let field = |n: usize| fields.get(n - 3).copied();
    let num = |n: usize| field(n)?.parse::<u64>().ok();
    Some(Stat {
        cpu_ticks: num(14)? + num(15)?,
        start_ticks: num(22)?,
        rss_pages: num(24)?,
        tty: field(7)?.parse().ok()?,
        tpgid: field(8)?.parse().ok()?,
    })
}

/// The children of every thread of a process.
fn children(root: &Path, pid: u32) -> Vec<u32> {
    let Ok(tasks) = fs::read_dir(root.join(pid.to_string()).join("task")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for task in tasks.flatten() {
        if let Ok(text) = fs::read_to_string(task.path().join("children")) {
            out.extend(
                text.split_whitespace()
                    .filter_map(|p| p.parse::<u32>().ok()),
            );
        }
    }
    out
}

/// The controlling terminal of a process and that terminal's foreground process group.
pub(crate) fn terminal(pid: u32) -> Option<(i64, i64)> {
    let s = stat(Path::new(PROC), pid)?;
    Some((s.tty, s.tpgid))
}

/// The arguments of a process.
pub(crate) fn cmdline(pid: u32) -> Option<Vec<String>> {
    let raw = fs::read(Path::new(PROC).join(pid.to_string()).join("cmdline")).ok()?;
    Some(
        raw.split(|&b| b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect(),
    )
}

/// The one child of a process (of its main thread), when it has exactly one.
pub(crate) fn only_child(pid: u32) -> Option<u32> {
    let path = Path::new(PROC).join(format!("{pid}/task/{pid}/children"));
    let text = fs::read_to_string(path).ok()?;
    match text.split_whitespace().collect::<Vec<_>>().as_slice() {
        [one] => one.parse().ok(),
        _ => None,
    }
}

/// Reads process figures; built once per command.
pub(crate) struct Sampler {
    root: PathBuf,
    /// `None` where there is no `/proc` to read: every figure is unknown.
    clock: Option<Clock>,
}

/// System constants and uptime, read once.
struct Clock {
    ticks_per_sec: f64,
    page_size: u64,
    uptime: f64,
}

impl Sampler {
    /// Reads the clock-tick rate, page size and uptime of this system.
    pub(crate) fn new() -> Sampler {
        Sampler::at(Path::new(PROC))
    }

    /// A sampler of the processes shown under `root` (`/proc`, or a folder without
    /// it, which gives the figures of a system that has none).
    pub(crate) fn at(root: &Path) -> Sampler {
        let uptime = fs::read_to_string(root.join("uptime"))
            .ok()
            .and_then(|t| t.split_whitespace().next()?.parse().ok());
        let (ticks, page) = crate::os::ticks_and_page_size();
        Sampler {
            root: root.to_path_buf(),
            clock: uptime.map(|uptime| Clock {
                ticks_per_sec: ticks.max(1) as f64,
                page_size: page.max(1) as u64,
                uptime,
            }),
        }
    }

    /// Usage of `root` and everything below it; `None` when unknown on this system.
    pub(crate) fn tree(&self, root: u32) -> Option<Usage> {
        let clock = self.clock.as_ref()?;
        let mut total = Usage::default();
        let mut todo = vec![root];
        let mut seen = 0;
        while let Some(pid) = todo.pop() {
            seen += 1;
            if seen > 10_000 {
                break;
            }
            if let Some(s) = stat(&self.root, pid) {
                total.add(clock.usage(&s));
                todo.extend(children(&self.root, pid));
            }
        }
        Some(total)
    }

    /// Usage summed over several trees; `None` when unknown on this system.
    pub(crate) fn trees(&self, roots: &[u32]) -> Option<Usage> {
        let mut total = Usage::default();
        for &root in roots {
            total.add(self.tree(root)?);
        }
        self.clock.as_ref().map(|_| total)
    }

    /// Seconds since the process started.
    pub(crate) fn uptime_of(&self, pid: u32) -> Option<u64> {
        let clock = self.clock.as_ref()?;
        let s = stat(&self.root, pid)?;
        Some((clock.uptime - s.start_ticks as f64 / clock.ticks_per_sec).max(0.0) as u64)
    }
}

impl Clock {
    fn usage(&self, s: &Stat) -> Usage {
        let age = self.uptime - s.start_ticks as f64 / self.ticks_per_sec;
        let cpu = if age > 0.0 {
            100.0 * s.cpu_ticks as f64 / self.ticks_per_sec / age
        } else {
            0.0
        };
        Usage {
            processes: 1,
            cpu_percent: cpu,
            memory_bytes: s.rss_pages * self.page_size,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    #[allow(clippy::disallowed_methods)] // a child of our own to measure
    fn our_own_tree_counts_a_child() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let sampler = Sampler::new();
        let usage = sampler.tree(std::process::id()).expect("Linux has /proc");
        let _ = child.kill();
        let _ = child.wait();
        assert!(usage.processes >= 2, "{usage:?}");
        assert!(usage.memory_bytes > 0);
        assert!(sampler.uptime_of(std::process::id()).is_some());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_missing_process_is_nothing() {
        assert_eq!(Sampler::new().tree(u32::MAX - 1), Some(Usage::default()));
    }

    /// What a system without `/proc` (macOS) gets, on Linux: no figure at all.
    #[test]
    fn without_proc_every_figure_is_unknown() {
        let empty = tempfile::tempdir().unwrap();
        let sampler = Sampler::at(empty.path());
        let me = std::process::id();
        assert_eq!(sampler.tree(me), None);
        assert_eq!(sampler.trees(&[me]), None);
        assert_eq!(sampler.trees(&[]), None);
        assert_eq!(sampler.uptime_of(me), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn our_own_arguments_and_terminal_are_read() {
        let args = cmdline(std::process::id()).unwrap();
        assert_eq!(args.len(), std::env::args().count(), "{args:?}");
        assert!(terminal(std::process::id()).is_some());
    }
}
