//! Micro-benchmarks of the pure hot paths, no tmux needed: parsing what tmux prints,
//! merging live sessions with recorded ones, and naming, each at 1, 100 and 1000
//! sessions. They reach the crate's internals through `thanos_tmux::internals` (the
//! `internals` feature):
//!
//! ```text
//! cargo bench --features internals --bench micro
//! cargo bench --features internals --bench micro -- parse   # a subset, by name
//! ```
//!
//! The input of each case is made once, before timing, by the generators of
//! `internals`; the "items" column of divan's throughput is per session.

use divan::counter::ItemsCount;
use divan::{black_box, Bencher};
use thanos_tmux::internals;

/// The session counts every case runs at.
const SESSIONS: &[usize] = &[1, 100, 1000];

fn main() {
    divan::main();
}

/// What the binary does with tmux's answers: split them into records, then read the
/// typed rows (`list`, `list --names`, `save`).
mod parse {
    use super::*;

    #[divan::bench(args = SESSIONS)]
    fn records_of_list_sessions(bencher: Bencher, n: usize) {
        let text = internals::sessions_output(n);
        bencher
            .counter(ItemsCount::new(n))
            .bench_local(|| internals::records(black_box(&text)));
    }

    #[divan::bench(args = SESSIONS)]
    fn list_sessions(bencher: Bencher, n: usize) {
        let text = internals::sessions_output(n);
        bencher
            .counter(ItemsCount::new(n))
            .bench_local(|| internals::parse_sessions(black_box(&text)));
    }

    #[divan::bench(args = SESSIONS)]
    fn list_session_names(bencher: Bencher, n: usize) {
        let text = internals::names_output(n);
        bencher
            .counter(ItemsCount::new(n))
            .bench_local(|| internals::parse_names(black_box(&text)));
    }

    /// Three panes per session.
    #[divan::bench(args = SESSIONS)]
    fn list_panes(bencher: Bencher, n: usize) {
        let text = internals::panes_output(n);
        bencher
            .counter(ItemsCount::new(n))
            .bench_local(|| internals::parse_panes(black_box(&text)));
    }
}

/// `list` puts tmux's sessions and the state file's records together. With no server
/// on the socket, every record is listed as not alive.
mod merge {
    use super::*;

    /// The manager keeps the state it read: a `connect` finding no server, then the
    /// merge of the records and their sort.
    #[divan::bench(args = SESSIONS)]
    fn list_recorded(bencher: Bencher, n: usize) {
        let fixture = internals::recorded(n);
        assert_eq!(internals::list_recorded(&fixture), n);
        bencher
            .counter(ItemsCount::new(n))
            .bench_local(|| internals::list_recorded(black_box(&fixture)));
    }

    /// Reading and parsing the state file, which `list` does once per run.
    #[divan::bench(args = SESSIONS)]
    fn load_state(bencher: Bencher, n: usize) {
        let fixture = internals::recorded(n);
        bencher
            .counter(ItemsCount::new(n))
            .bench_local(|| internals::load_state(black_box(&fixture)));
    }
}

/// Naming a session after its folder.
mod naming {
    use super::*;

    /// Sanitising n folder names of every shape.
    #[divan::bench(args = SESSIONS)]
    fn sanitize(bencher: Bencher, n: usize) {
        let names = internals::folder_names(n);
        bencher
            .counter(ItemsCount::new(n))
            .bench_local(|| internals::sanitize_names(black_box(&names)));
    }

    /// Picking the name for a folder in a git checkout whose name is taken, among n
    /// recorded sessions.
    #[divan::bench(args = SESSIONS)]
    fn pick_with_collision(bencher: Bencher, n: usize) {
        let fixture = internals::naming(n);
        bencher.bench_local(|| internals::pick_name(black_box(&fixture)));
    }
}
