//! The acceptance corpus: every `examples/*.stack` compiles without
//! findings, is in canonical `fmt` layout, and its IR is snapshotted.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::examples;

#[test]
fn every_example_compiles_cleanly() {
    for path in examples() {
        let rel = common::rel(&path);
        let c = stackc::compile(Path::new(&rel), &Default::default(), false);
        let rendered = stackc::diag::render::human::render(&c.sources, &c.diagnostics, false);
        assert!(c.diagnostics.is_empty(), "{rel}:\n{rendered}");
        let yaml = serde_yaml_ng::to_string(&stackc::ir::dump(c.ir.as_ref().unwrap())).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let settings = common::snapshots("examples", Some(&path));
        settings.bind(|| insta::assert_snapshot!(format!("{name}.ir"), yaml));
    }
}

#[test]
fn every_example_is_formatted() {
    for path in examples() {
        let text = std::fs::read_to_string(&path).unwrap();
        let formatted = stackc::fmt::format_source(&text, stackc::span::FileId(0)).unwrap();
        assert!(
            formatted == text,
            "{} is not in `stackc fmt` layout",
            path.display()
        );
    }
}

#[test]
fn stdlib_is_formatted_and_compiles() {
    for (name, text) in stackc::lower::imports::STDLIB {
        let formatted = stackc::fmt::format_source(text, stackc::span::FileId(0)).unwrap();
        assert!(&formatted == text, "{name} is not in `stackc fmt` layout");
    }
    // An empty stack still loads and lowers the whole stdlib without findings.
    let c = stackc::compile_str("empty.stack", "", &Default::default(), false);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let ir = c.ir.unwrap();
    assert!(ir.images.len() >= 6 && ir.charts.len() >= 11 && ir.cni_versions.len() == 3);
}

#[test]
fn profiles_of_examples_compile() {
    // Every profile an example defines must also compile cleanly.
    for path in examples() {
        let rel = common::rel(&path);
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines().filter(|l| l.starts_with("profile \"")) {
            let name = line.split('"').nth(1).unwrap().to_string();
            let opts = stackc::lower::Options {
                profile: Some(name.clone()),
                allow_outside: false,
            };
            let c = stackc::compile(Path::new(&rel), &opts, false);
            let rendered = stackc::diag::render::human::render(&c.sources, &c.diagnostics, false);
            assert!(!c.has_errors(), "{rel} --profile {name}:\n{rendered}");
        }
    }
}
