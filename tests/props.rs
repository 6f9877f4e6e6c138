//! Property tests: `fmt` is idempotent and never changes the syntax tree;
//! `check` never panics, whatever the input.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use stackc::span::FileId;

/// The AST without spans (spans are `serde(skip)`), and the comment texts.
fn shape(text: &str) -> (serde_json::Value, Vec<String>) {
    let (ast, diags) = stackc::syntax::parse(text, FileId(0));
    assert!(
        !diags.iter().any(|d| d.code.code == "E0101"),
        "does not parse:\n{text}\n{diags:?}"
    );
    let comments = ast.comments.iter().map(|c| c.text.clone()).collect();
    (serde_json::to_value(&ast).unwrap(), comments)
}

fn assert_fmt_preserves(text: &str) {
    let formatted = stackc::fmt::format_source(text, FileId(0)).unwrap();
    // The fast parser and the pest reference agree on both (tests/parser_diff.rs).
    for t in [text, formatted.as_str()] {
        if let Some(why) = stackc::syntax::parsers_disagree(t) {
            panic!("the parsers disagree: {why}\n--- input: {t:?}");
        }
    }
    let again = stackc::fmt::format_source(&formatted, FileId(0)).unwrap();
    if formatted != again {
        let _ = std::fs::write(std::env::temp_dir().join("stackc-fmt-failure.stack"), text);
        let first = formatted
            .lines()
            .zip(again.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        let window = |t: &str| {
            t.lines()
                .skip(first.saturating_sub(3))
                .take(7)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "fmt is not idempotent; first pass:\n{}\n--- second pass:\n{}",
            window(&formatted),
            window(&again)
        );
    }
    let (ast, mut comments) = shape(text);
    let (ast2, mut comments2) = shape(&formatted);
    assert_eq!(
        ast, ast2,
        "fmt changed the syntax tree of:\n{text}\n--- into:\n{formatted}"
    );
    comments.sort();
    comments2.sort();
    assert_eq!(
        comments, comments2,
        "fmt lost or changed comments of:\n{text}\n--- into:\n{formatted}"
    );
}

// ─── Generators ────────────────────────────────────────────────────────────

fn ident() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,6}".prop_map(|s| s)
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..100_000).prop_map(|n| n.to_string()),
        Just("true".to_string()),
        "[a-z ]{0,8}".prop_map(|s| format!("\"{s}\"")),
        Just("\"esc \\\"q\\\" \\t ü ${n}\"".to_string()),
        (0u8..255, 0u8..255).prop_map(|(a, b)| format!("10.{a}.{b}.1")),
        (0u8..255).prop_map(|a| format!("10.{a}.0.0/16")),
        Just("fd00:10::/64".to_string()),
        Just("10.1.1.100-10.1.1.150".to_string()),
        (1u32..64).prop_map(|n| format!("{n}GiB")),
        Just("90s".to_string()),
        Just("aa:bb:cc:00:00:01".to_string()),
        Just("network.k8s".to_string()),
        Just("ubuntu-24.04".to_string()),
        Just("secret(\"TOKEN\")".to_string()),
        Just("cidrhost(10.0.0.0/24, 5)".to_string()),
        Just("<<EOT\nline one\n  { not a brace }\nEOT\n".to_string()),
    ]
}

fn value() -> impl Strategy<Value = String> {
    leaf().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec(inner.clone(), 1..4)
                .prop_map(|v| format!("[\n{},\n]", v.join(",\n  # between\n"))),
            prop::collection::vec((ident(), inner), 0..3).prop_map(|v| format!(
                "{{ {} }}",
                v.iter()
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        ]
    })
}

fn comment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(String::new()),
        "[a-z ]{0,10}".prop_map(|s| format!("  # {s}")),
        "[a-z ]{0,10}".prop_map(|s| format!("  // {s}")),
    ]
}

fn attribute() -> impl Strategy<Value = String> {
    (ident(), value(), comment()).prop_map(|(k, v, c)| {
        // A heredoc ends its line: a trailing comment would become its body.
        if v.ends_with("EOT\n") {
            format!("{k} = {v}")
        } else {
            format!("{k} = {v}{c}\n")
        }
    })
}

fn block() -> impl Strategy<Value = String> {
    let body = prop::collection::vec(attribute(), 0..5);
    (
        ident(),
        prop::option::of("[a-z0-9-]{1,8}"),
        body,
        prop::bool::ANY,
        comment(),
    )
        .prop_map(|(kind, label, attrs, inline, c)| {
            let label = label.map(|l| format!(" \"{l}\"")).unwrap_or_default();
            let simple = attrs.iter().all(|a| {
                !a.contains('\n')
                    || a.matches('\n').count() == 1 && !a.contains('#') && !a.contains("//")
            });
            if inline && simple && !attrs.iter().any(|a| a.contains("EOT")) {
                let items: Vec<&str> = attrs.iter().map(|a| a.trim_end()).collect();
                format!("{kind}{label} {{ {} }}{c}\n", items.join("  "))
            } else {
                format!(
                    "/* before */\n{kind}{label} {{{c}\n{}\n}}\n",
                    attrs.concat()
                )
            }
        })
}

fn file() -> impl Strategy<Value = String> {
    prop::collection::vec(block(), 0..5).prop_map(|b| format!("# header\n\n{}", b.join("\n")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn fmt_is_idempotent_and_keeps_the_tree(text in file()) {
        assert_fmt_preserves(&text);
    }

    #[test]
    fn check_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
        let _ = stackc::compile_str("fuzz.stack", &text, &Default::default(), false);
    }

    #[test]
    fn check_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fuzz.stack");
        std::fs::write(&path, &bytes).unwrap();
        let _ = stackc::compile(&path, &Default::default(), false);
    }

    #[test]
    fn check_never_panics_on_mutated_examples(
        which in 0usize..5,
        ops in prop::collection::vec((0u8..3, any::<prop::sample::Index>(), any::<prop::sample::Index>()), 1..6),
    ) {
        let examples = example_texts();
        let text = &examples[which % examples.len()];
        let mut tokens: Vec<&str> = text.split_inclusive(char::is_whitespace).collect();
        for (op, a, b) in ops {
            if tokens.is_empty() { break; }
            let (i, j) = (a.index(tokens.len()), b.index(tokens.len()));
            match op {
                0 => { tokens.remove(i); }
                1 => { let t = tokens[i]; tokens.insert(j, t); }
                _ => tokens.swap(i, j),
            }
        }
        let mutated = tokens.concat();
        let c = stackc::compile_str("mutated.stack", &mutated, &Default::default(), false);
        // And fmt never panics; when it succeeds it keeps the tree.
        if !c.diagnostics.iter().any(|d| d.code.code == "E0101") {
            assert_fmt_preserves(&mutated);
        }
    }
}

fn example_texts() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "stack"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    out.sort();
    out
}

#[test]
fn fmt_keeps_every_example_and_ui_case() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts = example_texts();
    for (_, t) in stackc::lower::imports::STDLIB {
        texts.push(t.to_string());
    }
    let mut dirs = vec![root.join("tests/ui")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "stack") {
                let t = std::fs::read_to_string(&p).unwrap();
                if !stackc::syntax::parse(&t, FileId(0))
                    .1
                    .iter()
                    .any(|d| d.code.code == "E0101")
                {
                    texts.push(t);
                }
            }
        }
    }
    for t in texts {
        assert_fmt_preserves(&t);
    }
}
