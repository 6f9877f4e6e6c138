//! Per-stage timings of the whole pipeline on generated N-node stacks
//! (`scripts/gen_stack.py`): parse, lower, check. Run with
//! `cargo bench --bench pipeline` (add sizes as arguments: `-- 1000 50000`).
//! Peak memory of the whole process is measured separately with
//! `/usr/bin/time -v target/release/stackc check FILE` (see the book).

use std::path::PathBuf;
use std::time::{Duration, Instant};

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

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        last = Some(v);
    }
    (best, last.expect("at least one run"))
}

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
    println!(
        "{:>8} {:>10} {:>10} {:>10} {:>10} {:>6}",
        "nodes", "parse", "lower", "check", "total", "finds"
    );
    for n in sizes {
        let path = generate(n);
        let runs = if n >= 10_000 { 3 } else { 10 };
        let (parse, (sources, parsed)) = best_of(runs, || {
            let mut sources = stackc::source::SourceMap::new();
            let (parsed, _) = stackc::parse(&path, &mut sources);
            (sources, parsed)
        });
        let (lower, (ir, _)) = best_of(runs, || stackc::lower(&parsed, &Default::default()));
        let (check, sink) = best_of(runs, || {
            let mut sink = stackc::diag::Sink::new();
            stackc::check(&ir, &mut sink);
            sink
        });
        drop(sources);
        let ms = |d: Duration| format!("{:.1}ms", d.as_secs_f64() * 1e3);
        println!(
            "{n:>8} {:>10} {:>10} {:>10} {:>10} {:>6}",
            ms(parse),
            ms(lower),
            ms(check),
            ms(parse + lower + check),
            sink.len()
        );
    }
}
