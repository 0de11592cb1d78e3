//! Resource figures of process trees, read narrowly: only the processes under the given
//! roots, found through `/proc/PID/task/TID/children`, never a scan of the whole system.
//! CPU is what `ps` reports (CPU time over the process's lifetime), so nothing waits to
//! sample. Where `/proc` does not exist (macOS) the figures are zero.

use std::fs;

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
}

fn stat(pid: u32) -> Option<Stat> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which may hold spaces and parentheses.
    let fields: Vec<&str> = text[text.rfind(')')? + 1..].split_whitespace().collect();
    // fields[0] is field 3 (state): utime 14, stime 15, starttime 22, rss 24.
    let num = |field: usize| fields.get(field - 3)?.parse::<u64>().ok();
    Some(Stat {
        cpu_ticks: num(14)? + num(15)?,
        start_ticks: num(22)?,
        rss_pages: num(24)?,
    })
}

fn children(pid: u32) -> Vec<u32> {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
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

/// System constants and uptime, read once per command.
pub(crate) struct Sampler {
    ticks_per_sec: f64,
    page_size: u64,
    uptime: f64,
}

impl Sampler {
    /// Reads the clock-tick rate, page size and uptime.
    pub(crate) fn new() -> Sampler {
        let (ticks, page) = crate::os::ticks_and_page_size();
        let uptime = fs::read_to_string("/proc/uptime")
            .ok()
            .and_then(|t| t.split_whitespace().next()?.parse().ok())
            .unwrap_or(0.0);
        Sampler {
            ticks_per_sec: ticks.max(1) as f64,
            page_size: page.max(1) as u64,
            uptime,
        }
    }

    /// Usage of `root` and everything below it.
    pub(crate) fn tree(&self, root: u32) -> Usage {
        let mut total = Usage::default();
        let mut todo = vec![root];
        let mut seen = 0;
        while let Some(pid) = todo.pop() {
            seen += 1;
            if seen > 10_000 {
                break;
            }
            if let Some(s) = stat(pid) {
                total.add(self.usage(&s));
                todo.extend(children(pid));
            }
        }
        total
    }

    /// Usage summed over several trees.
    pub(crate) fn trees(&self, roots: &[u32]) -> Usage {
        let mut total = Usage::default();
        for &root in roots {
            total.add(self.tree(root));
        }
        total
    }

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

    /// Seconds since the process started.
    pub(crate) fn uptime_of(&self, pid: u32) -> Option<u64> {
        let s = stat(pid)?;
        Some((self.uptime - s.start_ticks as f64 / self.ticks_per_sec).max(0.0) as u64)
    }
}

impl Default for Sampler {
    fn default() -> Self {
        Self::new()
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
        let usage = sampler.tree(std::process::id());
        let _ = child.kill();
        let _ = child.wait();
        assert!(usage.processes >= 2, "{usage:?}");
        assert!(usage.memory_bytes > 0);
        assert!(sampler.uptime_of(std::process::id()).is_some());
    }

    #[test]
    fn a_missing_process_is_nothing() {
        assert_eq!(Sampler::new().tree(u32::MAX - 1), Usage::default());
    }
}
