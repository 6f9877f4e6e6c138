//! Shared helpers for the end-to-end tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// The header of a UI case: `# expect = ["E0101"]` and optional `# args = [...]`.
pub struct Case {
    pub expect: Vec<String>,
    pub args: Vec<String>,
}

pub fn header(text: &str) -> Case {
    let mut case = Case {
        expect: Vec::new(),
        args: Vec::new(),
    };
    let mut found = false;
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        let line = line.trim_start_matches('#').trim();
        if let Some(v) = line.strip_prefix("expect =") {
            case.expect = serde_json::from_str(v.trim()).expect("expect header is a JSON list");
            found = true;
        } else if let Some(v) = line.strip_prefix("args =") {
            case.args = serde_json::from_str(v.trim()).expect("args header is a JSON list");
        }
    }
    assert!(found, "a UI case starts with `# expect = [...]`");
    case
}

/// Every `.stack` file under `dir`, sorted, skipping folders starting with `_`.
pub fn stack_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if p.is_dir() && !name.starts_with('_') {
                stack.push(p);
            } else if name.ends_with(".stack") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Options and `--deny warnings` from a case's args.
pub fn options(args: &[String]) -> (stackc::lower::Options, bool) {
    let mut opts = stackc::lower::Options::default();
    let mut deny = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--profile" => opts.profile = it.next().cloned(),
            "--allow-outside" => opts.allow_outside = true,
            "--deny" => deny = it.next().map(String::as_str) == Some("warnings"),
            other => panic!("unknown arg {other} in a UI header"),
        }
    }
    (opts, deny)
}

/// The path relative to the crate root, with `/` separators (stable in snapshots).
pub fn rel(p: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The stackc binary built for this test run.
pub fn stackc() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_stackc"))
}
