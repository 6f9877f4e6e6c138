//! Per-stage time and peak memory of the whole pipeline on generated N-node
//! stacks (`scripts/gen_stack.py`): parse, lower, check, each backend, build.
//! "terraform" resolves the document and serializes it into a sink and
//! "ansible" generates the project, each alone on one thread; "build" is
//! what `stackc build` does after the checks: both backends side by side
//! on two threads, writing into a new directory, then its atomic swap.
//! "total" is parse + lower + check + build.
//! Run with `cargo bench --bench pipeline` (sizes as arguments: `-- 1000 50000`).
//!
//! Time is the best of several runs. Memory is measured by a counting global
//! allocator: for each stage, the highest number of heap bytes live at once
//! while the stage ran, above what was live when it started. Whole-process
//! figures (time and peak RSS) come from `scripts/bench.sh`.

use mimalloc::MiMalloc;
use std::alloc::{GlobalAlloc, Layout};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to mimalloc (the binary's allocator); only counts bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(l.size(), Relaxed) + l.size();
        PEAK.fetch_max(live, Relaxed);
        unsafe { MiMalloc.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Relaxed);
        unsafe { MiMalloc.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        if new > l.size() {
            let live = LIVE.fetch_add(new - l.size(), Relaxed) + new - l.size();
            PEAK.fetch_max(live, Relaxed);
        } else {
            LIVE.fetch_sub(l.size() - new, Relaxed);
        }
        unsafe { MiMalloc.realloc(p, l, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn generate(n: usize) -> PathBuf {
    let path = std::env::temp_dir().join(format!("stackc-bench-{n}.stack"));
    let out = std::process::Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/gen_stack.py"))
        .arg(n.to_string())
        .output()
        .expect("python3 runs scripts/gen_stack.py");
    std::fs::write(&path, out.stdout).expect("write the generated stack");
    path
}

/// One stage's best time and its peak extra heap.
struct Stage {
    time: Duration,
    peak: usize,
}

/// Run `f` `runs` times; keep the best time, the peak heap of the first run
/// and the last result.
fn measure<T>(runs: usize, mut f: impl FnMut() -> T) -> (Stage, T) {
    let mut best = Duration::MAX;
    let mut peak = 0;
    let mut last = None;
    for i in 0..runs {
        drop(last.take());
        let base = LIVE.load(Relaxed);
        PEAK.store(base, Relaxed);
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        if i == 0 {
            peak = PEAK.load(Relaxed) - base;
        }
        last = Some(v);
    }
    let last = last.expect("at least one run");
    (Stage { time: best, peak }, last)
}

const STAGES: [&str; 7] = [
    "parse",
    "lower",
    "check",
    "terraform",
    "ansible",
    "build",
    "total",
];

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![100, 1_000, 10_000, 50_000]
    } else {
        sizes
    };
    print!("{:>7}", "nodes");
    for s in STAGES {
        print!(" {s:>17}");
    }
    println!();
    let out_root = tempfile::tempdir().expect("a temporary directory");
    for n in sizes {
        let path = generate(n);
        let runs = if n >= 10_000 { 3 } else { 10 };
        let (parse, (sources, parsed)) = measure(runs, || {
            let mut sources = stackc::source::SourceMap::new();
            let (parsed, _) = stackc::parse(&path, &mut sources);
            (sources, parsed)
        });
        let (lower, (ir, _)) = measure(runs, || stackc::lower(&parsed, &Default::default()));
        let (check, sink) = measure(runs, || {
            let mut sink = stackc::diag::Sink::new();
            stackc::check(&ir, &mut sink);
            sink
        });
        assert!(!sink.has_errors(), "the generated stack checks clean");
        // Terraform as `build` does it: resolve, then stream the document
        // (here into a sink that discards it; the write stage puts it on disk).
        let (terraform, tf_bytes) = measure(runs, || {
            let doc = stackc::backend::terraform::prepare(&ir, &sources).expect("terraform emits");
            doc.write(&mut std::io::sink()).expect("write to a sink")
        });
        assert!(tf_bytes > 0);
        let (ansible, _) = measure(runs, || stackc::emit_ansible(&ir));
        // Both backends as `build` runs them: side by side on two threads,
        // each writing into the new output directory before its swap.
        let target = out_root.path().join(format!("out{n}"));
        let (build, _) = measure(runs, || {
            stackc::backend::build::build(&ir, &sources, stackc::Only::All, &target).expect("build")
        });
        let stages = [&parse, &lower, &check, &terraform, &ansible, &build];
        // The whole pipeline: `build` includes the two stages before it.
        let whole = [&parse, &lower, &check, &build];
        let total = Stage {
            time: whole.iter().map(|s| s.time).sum(),
            peak: whole.iter().map(|s| s.peak).max().unwrap_or(0),
        };
        print!("{n:>7}");
        for s in stages.into_iter().chain([&total]) {
            let cell = format!(
                "{:.1}ms {:.1}MB",
                s.time.as_secs_f64() * 1e3,
                s.peak as f64 / 1e6
            );
            print!(" {cell:>17}");
        }
        println!();
    }
    println!("(time: best of 10 runs, 3 at N >= 10,000; MB: peak heap allocated by the stage)");
}
