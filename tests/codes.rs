//! The code table, the book and the UI corpus agree: every code has an
//! explain page and at least one failing UI case.
#![allow(clippy::unwrap_used)]

mod common;

use stackc::diag::codes;
use std::collections::BTreeSet;
use std::path::Path;

/// Codes whose checks are not implemented yet. Empty: every code in the
/// table has its check; a new code may wait here until its UI case lands.
const PENDING: &[&str] = &[];

fn ui_codes() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    common::stack_files(&root.join("tests/ui"))
        .iter()
        .flat_map(|p| common::header(&std::fs::read_to_string(p).unwrap()).expect)
        .collect()
}

#[test]
fn every_code_has_a_failing_ui_case() {
    let covered = ui_codes();
    let missing: Vec<&str> = codes::ALL
        .iter()
        .map(|c| c.code)
        .filter(|c| !covered.contains(*c) && !PENDING.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a failing UI case: {missing:?}"
    );
}

#[test]
fn pending_codes_are_really_pending() {
    let covered = ui_codes();
    let stale: Vec<&&str> = PENDING.iter().filter(|c| covered.contains(**c)).collect();
    assert!(
        stale.is_empty(),
        "these codes have UI cases now; remove them from PENDING: {stale:?}"
    );
}

#[test]
fn every_page_in_the_book_belongs_to_a_code() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src/checks");
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        if name == "README.md" {
            continue;
        }
        let code = name.trim_end_matches(".md");
        assert!(
            codes::lookup(code).is_some(),
            "book/src/checks/{name} has no code in the table"
        );
    }
}

#[test]
fn explain_prints_the_page_of_every_code() {
    for c in codes::ALL {
        let out = common::stackc().args(["explain", c.code]).output().unwrap();
        assert!(out.status.success(), "explain {}", c.code);
        assert_eq!(String::from_utf8(out.stdout).unwrap(), c.page);
        let by_slug = common::stackc().args(["explain", c.slug]).output().unwrap();
        assert!(by_slug.status.success(), "explain {}", c.slug);
    }
    let bad = common::stackc()
        .args(["explain", "E9999"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
