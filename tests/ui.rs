//! UI tests: one case per file under `tests/ui/`, a header naming the codes
//! it must produce (semantic), and a snapshot of the rendered human output
//! (presentation). Folders starting with `_` hold fixtures, not cases.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

#[test]
fn ui_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).unwrap();
    let files = common::stack_files(&root.join("tests/ui"));
    assert!(files.len() > 20, "the UI corpus went missing");
    let mut failures = Vec::new();
    for path in &files {
        let rel = common::rel(path);
        let text = std::fs::read_to_string(path).unwrap();
        let case = common::header(&text);
        let (opts, deny) = common::options(&case.args);
        let c = stackc::compile(Path::new(&rel), &opts, deny);
        let mut got: Vec<String> = c
            .diagnostics
            .iter()
            .map(|d| d.code.code.to_string())
            .collect();
        let mut want = case.expect.clone();
        got.sort();
        want.sort();
        if got != want {
            let rendered = stackc::diag::render::human::render(&c.sources, &c.diagnostics, false);
            failures.push(format!("{rel}: expected {want:?}, got {got:?}\n{rendered}"));
            continue;
        }
        let rendered = stackc::diag::render::human::render(&c.sources, &c.diagnostics, false);
        let name = rel
            .trim_start_matches("tests/ui/")
            .trim_end_matches(".stack")
            .replace('/', "__");
        let settings = common::snapshots("ui", Some(path.as_ref()));
        settings.bind(|| insta::assert_snapshot!(name, rendered));
    }
    assert!(
        failures.is_empty(),
        "{} UI case(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// A snapshot whose case was renamed or deleted must go too.
#[test]
fn every_ui_snapshot_has_a_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for e in std::fs::read_dir(root.join("snapshots/ui")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".snap") else {
            continue;
        };
        let case = root
            .join("tests/ui")
            .join(format!("{}.stack", stem.replace("__", "/")));
        assert!(
            case.is_file(),
            "snapshots/ui/{name} has no case {}",
            case.display()
        );
    }
}
