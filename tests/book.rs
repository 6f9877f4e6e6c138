//! The book is tested: every ```stack block compiles without findings;
//! every ```stack error CODE… block fails with exactly those codes (its
//! rendered output is snapshotted); ```stack no-check blocks are fragments.
//! Internal links must point at pages that exist.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

fn pages() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "md") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// (info string, code, 1-based line of the fence) for every fenced block.
fn blocks(text: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        let mut code = String::new();
        for (_, l) in lines.by_ref() {
            if l.trim_start().starts_with("```") {
                break;
            }
            code.push_str(l);
            code.push('\n');
        }
        out.push((info.trim().to_string(), code, i + 1));
    }
    out
}

#[test]
fn every_stack_block_in_the_book_compiles_as_its_fence_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failures = Vec::new();
    let (mut compiled, mut failing) = (0, 0);
    for page in pages() {
        let rel = page
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let text = std::fs::read_to_string(&page).unwrap();
        for (info, code, line) in blocks(&text) {
            let mut words = info.split_whitespace();
            if words.next() != Some("stack") {
                continue;
            }
            let rest: Vec<&str> = words.collect();
            if rest.first() == Some(&"no-check") {
                continue;
            }
            // Blocks compile as if they were a file beside the page.
            let c = stackc::compile_buffer(
                &page.with_extension("stack"),
                code.clone(),
                &Default::default(),
                false,
            );
            let mut got: Vec<&str> = c.diagnostics.iter().map(|d| d.code.code).collect();
            got.sort();
            let rendered = stackc::diag::render::human::render(&c.sources, &c.diagnostics, false);
            if rest.first() == Some(&"error") {
                failing += 1;
                let mut want: Vec<&str> = rest[1..].to_vec();
                want.sort();
                if want.is_empty() || got != want {
                    failures.push(format!(
                        "{rel}:{line}: expected {want:?}, got {got:?}\n{rendered}"
                    ));
                    continue;
                }
                let name = format!(
                    "{}-{line}",
                    rel.trim_start_matches("book/src/")
                        .trim_end_matches(".md")
                        .replace('/', "__")
                );
                let mut settings = insta::Settings::clone_current();
                settings.set_snapshot_path(root.join("snapshots/book"));
                settings.set_prepend_module_to_snapshot(false);
                settings.set_omit_expression(true);
                let shown = rendered.replace(
                    &format!("{}", page.with_extension("stack").display()),
                    "example.stack",
                );
                settings.bind(|| insta::assert_snapshot!(name, shown));
            } else {
                compiled += 1;
                if !got.is_empty() {
                    failures.push(format!("{rel}:{line}: a ```stack block must compile cleanly, got {got:?}\n{rendered}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} book block(s) wrong:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        compiled >= 5 && failing >= 20,
        "the book should show compiled examples ({compiled}) and failing ones ({failing})"
    );
}

#[test]
fn internal_links_resolve() {
    let mut broken = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for (i, _) in text.match_indices("](") {
            let rest = &text[i + 2..];
            let Some(end) = rest.find(')') else { continue };
            let target = &rest[..end];
            if target.starts_with("http")
                || target.starts_with('#')
                || target.starts_with("mailto:")
            {
                continue;
            }
            let file = target.split('#').next().unwrap();
            if !file.is_empty() && !page.parent().unwrap().join(file).exists() {
                broken.push(format!("{}: {target}", page.display()));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_page_is_in_the_summary() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src");
    let summary = std::fs::read_to_string(src.join("SUMMARY.md")).unwrap();
    for page in pages() {
        let rel = page
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel != "SUMMARY.md" {
            assert!(
                summary.contains(&format!("({rel})")),
                "{rel} is not linked from SUMMARY.md"
            );
        }
    }
}

/// The TextMate grammar in the editors page is valid JSON with the scopes
/// editors look for.
#[test]
fn the_textmate_grammar_parses() {
    let page =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src/editors.md"))
            .unwrap();
    let (_, code, _) = blocks(&page)
        .into_iter()
        .find(|(info, _, _)| info == "json")
        .expect("a json block");
    let grammar: serde_json::Value = serde_json::from_str(&code).unwrap();
    assert_eq!(grammar["scopeName"], "source.stack");
    let text = grammar.to_string();
    for scope in [
        "comment.line.number-sign.stack",
        "constant.numeric.cidr.stack",
        "support.function.stack",
        "string.quoted.double.stack",
    ] {
        assert!(text.contains(scope), "{scope}");
    }
}
