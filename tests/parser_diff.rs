//! Differential tests: the hand-written parser (`syntax::parse`) and the pest
//! reference (`syntax::parse_reference`) give the same AST (spans and
//! comments included), the same diagnostics, and accept the same texts.
//!
//! The corpus is every `.stack` file in the repository and every `stack`
//! block of the book; the properties mutate those texts with the characters
//! the grammar cares about, which is what finds disagreements. Raise
//! `PROPTEST_CASES` for a longer run; `PARSER_DIFF_DIR=<dir>` adds the files
//! of a directory (e.g. a fuzz corpus) to the corpus test.
#![allow(clippy::unwrap_used)]

mod common;

use proptest::prelude::*;
use stackc::syntax::parsers_disagree;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The two parsers agree on `text`. A failing text is also written to
/// `$TMPDIR/parser-diff-failure.stack`, whole.
fn assert_same(text: &str) {
    if let Some(why) = parsers_disagree(text) {
        let _ = std::fs::write(std::env::temp_dir().join("parser-diff-failure.stack"), text);
        panic!("{why}\n--- input: {text:?}");
    }
}

/// Every `.md` file under `dir`.
fn pages(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            pages(&p, out);
        } else if p.extension().is_some_and(|e| e == "md") {
            out.push(p);
        }
    }
}

/// The `stack` fenced blocks of a book page (`no-check` and `error` ones too).
fn stack_blocks(page: &str, out: &mut Vec<String>) {
    let mut block: Option<String> = None;
    for line in page.lines() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut block, fence) {
            (None, Some(info)) if info.trim_start().starts_with("stack") => {
                block = Some(String::new());
            }
            (Some(b), Some(_)) => {
                out.push(std::mem::take(b));
                block = None;
            }
            (Some(b), None) => {
                b.push_str(line);
                b.push('\n');
            }
            (None, _) => {}
        }
    }
}

/// Every `.stack` text of the repository, then every `stack` block of the book.
fn corpus() -> &'static [String] {
    static CORPUS: OnceLock<Vec<String>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let root = common::root();
        let mut paths = Vec::new();
        for dir in ["examples", "stdlib", "tests/ui", "tests/ui/_fixtures"] {
            paths.extend(common::stack_files(&root.join(dir)));
        }
        let mut texts: Vec<String> = paths
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        let mut book = Vec::new();
        pages(&root.join("book/src"), &mut book);
        book.sort();
        for page in book {
            stack_blocks(&std::fs::read_to_string(page).unwrap(), &mut texts);
        }
        assert!(texts.len() > 100, "the corpus is missing files");
        texts
    })
}

#[test]
fn every_corpus_file_parses_the_same() {
    for text in corpus() {
        assert_same(text);
    }
    if let Ok(dir) = std::env::var("PARSER_DIFF_DIR") {
        let mut n = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(e.unwrap().path()).unwrap();
            if let Ok(text) = std::str::from_utf8(&bytes) {
                assert_same(text);
                n += 1;
            }
        }
        eprintln!("PARSER_DIFF_DIR: {n} files agree");
    }
}

/// Regressions and corner cases of pest semantics, each a reason the fast
/// parser could have gone wrong.
#[test]
fn corner_cases_parse_the_same() {
    let cases = [
        "",
        " \n\t\r",
        "# only a comment",
        "/* unterminated",
        "a {} /* unterminated",
        "a {}}",
        "a {} }",
        "a{}b{",
        "import \"x\"",
        "import\"x\"",
        "import {}",
        "imports {}",
        "import \"x\" {}",
        "import \"a\" \"b\" {}",
        "import # c\n \"x\"",
        "import \"${x}\"",
        "a \"${1}\" \"\\q\" { }",
        "a \"x\" \"y\" { b \"z\" { c = 1 } }",
        "a { b = 1 c = 2 }",
        "a { b = 1, c = 2 }",
        "a { b == 1 }",
        "a { b = }",
        "a { b = true.x }",
        "a { b = trueish falsey = false }",
        "a { b = True }",
        "a { b = f (1, 2,) }",
        "a { b = f\n(1) }",
        "a { b = f # c\n (1) }",
        "a { b = f( # c\n ) }",
        "a { b = f(,) }",
        "a { b = f(1,,) }",
        "a { b = f }",
        "a { b = f.g(1) }",
        "a { b = ab:cd ef = dead:beef::1 }",
        "a { b = dead-beef:1 }",
        "a { b = deadbeef }",
        "a { b = ::1 c = : d = AB:CD }",
        "a { b = 10.1.1.300 c = 10.1.1.5/24 d = 8XB }",
        "a { b = a. }",
        "a { b = a.B }",
        "a { b = a..b }",
        "a { b = [] c = [1,] d = [,] e = [1 2] }",
        "a { b = { } c = { x = 1, } d = { x = 1 y = 2 } e = { , } }",
        "a { b = { x = 1,, } }",
        "a { b = { \"k\" = 1 \"${k}\" = 2 } }",
        "a { b = \"\" c = \"$\" d = \"$x\" e = \"${ x }\" f = \"${ # c\n x }\" }",
        "a { b = \"${}\" }",
        "a { b = \"a\\qb\\n\" }",
        "a { b = \"\\ü\" }",
        "a { b = \"\\",
        "a { b = \"x\ny\" }",
        "a { b = \"${\"${1}\"}\" }",
        "a { b = <<EOT\nx\nEOT\n}",
        "a { b = <<EOT\nx\nEOT }",
        "a { b = <<EOT\nx\n  EOT\n}",
        "a { b = <<-EOT\n    x\n      y\n  EOT\n}",
        "a { b = <<EOT\nEOTX\nEOT\n}",
        "a { b = <<EOT\nx\nEOTX",
        "a { b = <<EOT\nx",
        "a { b = <<EOT x\nEOT\n}",
        "a { b = <<EOT\r\nx\r\nEOT\r\n}",
        "a { b = <<eot\nx\neot\n}",
        "a { b = <<-\nx\n}",
        "a { b = <<EOT\n\nEOT.x }",
        "a { b = \"${<<EOT\nx\nEOT\n}\" }",
        // Found by the heredoc property: pest reads the last line to the end
        // of the file looking for a newline, and its error keeps that point.
        "a {\n  b = <<EOT\nEOTc = 1 } }",
        "a { b = <<EOT\nEOTc = 1 } b {",
        "a { b = { k = <<EOT\nEOTj = 1 } } }",
        "a /* c */ \"l\" // d\n { b /* e */ = /* f */ 1 }",
        "a { b = [1, # c\n 2 # d\n] }",
        "a { B = 1 }",
        "A { }",
        "a { b: 1 }",
        "a { 'x' }",
        "a \"x\"",
        "a \"x\" { b = 1 } c",
        "x = 1",
        "a { b = 99999999999999999999999 }",
        "a { b = 1.5GiB c = 0.5B d = 1.31.0 e = 10.1.1.150-10.1.1.100 }",
    ];
    for text in cases {
        assert_same(text);
    }
}

// ─── Mutations ─────────────────────────────────────────────────────────────

/// Characters and fragments the grammar gives a meaning to.
const SIGNIFICANT: &[&str] = &[
    "{", "}", "[", "]", "(", ")", "\"", "$", "${", "=", ",", ".", ":", "#", "/", "*", "/*", "*/",
    "//", "<", "<<", "<<EOT\n", "<<-EOT\n", "\nEOT\n", "EOT", "\n", "\r", "\t", " ", "-", "\\",
    "_", "a", "Z", "0", "9", "f", "true", "import ", "\"x\"", "é", "f(", "::",
];

#[derive(Debug, Clone)]
enum Op {
    /// Delete the character at an index.
    Delete(prop::sample::Index),
    /// Insert a significant fragment before a character.
    Insert(prop::sample::Index, prop::sample::Index),
    /// Delete a run of up to 16 characters.
    DeleteRun(prop::sample::Index, usize),
    /// Copy a run of up to 32 characters elsewhere.
    Copy(prop::sample::Index, usize, prop::sample::Index),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => any::<prop::sample::Index>().prop_map(Op::Delete),
        4 => (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(a, b)| Op::Insert(a, b)),
        1 => (any::<prop::sample::Index>(), 1usize..16).prop_map(|(a, n)| Op::DeleteRun(a, n)),
        1 => (any::<prop::sample::Index>(), 1usize..32, any::<prop::sample::Index>())
            .prop_map(|(a, n, b)| Op::Copy(a, n, b)),
    ]
}

fn mutate(text: &str, ops: &[Op]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for op in ops {
        let len = chars.len();
        match op {
            Op::Delete(i) if len > 0 => {
                chars.remove(i.index(len));
            }
            Op::Insert(i, what) => {
                let at = i.index(len + 1);
                let frag = SIGNIFICANT[what.index(SIGNIFICANT.len())];
                chars.splice(at..at, frag.chars());
            }
            Op::DeleteRun(i, n) if len > 0 => {
                let at = i.index(len);
                chars.drain(at..(at + n).min(len));
            }
            Op::Copy(i, n, j) if len > 0 => {
                let at = i.index(len);
                let run: Vec<char> = chars[at..(at + n).min(len)].to_vec();
                let to = j.index(len + 1);
                chars.splice(to..to, run);
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// A window of whole lines of a corpus text: small inputs whose errors and
/// statement boundaries fall in many different places.
fn window(text: &str, start: prop::sample::Index, lines: usize) -> String {
    let all: Vec<&str> = text.split_inclusive('\n').collect();
    if all.is_empty() {
        return String::new();
    }
    let from = start.index(all.len());
    all[from..(from + lines).min(all.len())].concat()
}

/// Token soup: grammar fragments glued together, mostly nonsense, sometimes
/// a file, often an error in an unusual place.
fn soup() -> impl Strategy<Value = String> {
    const TOKENS: &[&str] = &[
        "a",
        "b.c",
        "f",
        "import",
        "true",
        "false",
        "x-y_z",
        "\"s\"",
        "\"${x}\"",
        "\"\\n\\q\"",
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        "=",
        ",",
        " ",
        "\n",
        "# c\n",
        "/* c */",
        "// d\n",
        "10.0.0.1",
        "10.0.0.0/8",
        "::1",
        "ab:cd",
        "8GiB",
        "1.2.3",
        "<<EOT\nx\nEOT\n",
        "<<-EOT\n  x\n  EOT",
        "\"",
        "${",
        ".",
        ":",
        "<<",
        "EOT",
    ];
    prop::collection::vec(prop::sample::select(TOKENS), 0..40).prop_map(|t| t.concat())
}

/// A heredoc with lines that nearly close it, inside an attribute: the
/// closing-tag rules (`heredoc_term`, `heredoc_ws ~ POP`) are where a
/// hand-written reading is easiest to get wrong.
fn heredoc() -> impl Strategy<Value = String> {
    const LINES: &[&str] = &[
        "x",
        "",
        "EOT",
        "  EOT",
        "\tEOT",
        "EOTX",
        "EOT_",
        "EOT }",
        "EOT.x",
        "EOT-",
        "EO",
        "EOT\r",
        " x ${y} \"z\"",
        "EOTé",
        // As the last line, without a newline: closing needs no lookahead,
        // and pest has read on to the end of the file for a newline.
        "EOTc = 1 }",
        "EOT}",
    ];
    (
        prop::sample::select(vec![
            "<<EOT\n",
            "<<-EOT\n",
            "<<EOT\r\n",
            "<<EOT \n",
            "<<E\n",
        ]),
        prop::collection::vec(prop::sample::select(LINES), 0..6),
        prop::sample::select(vec!["", "\n", "\n}", " }", "\n  c = 1\n}"]),
    )
        .prop_map(|(open, lines, end)| format!("a {{\n  b = {open}{}{end}", lines.join("\n")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_corpus_files_parse_the_same(
        which in any::<prop::sample::Index>(),
        ops in prop::collection::vec(op(), 1..6),
    ) {
        let texts = corpus();
        assert_same(&mutate(&texts[which.index(texts.len())], &ops));
    }

    #[test]
    fn mutated_corpus_windows_parse_the_same(
        which in any::<prop::sample::Index>(),
        start in any::<prop::sample::Index>(),
        lines in 1usize..12,
        ops in prop::collection::vec(op(), 0..4),
    ) {
        let texts = corpus();
        let text = window(&texts[which.index(texts.len())], start, lines);
        assert_same(&mutate(&text, &ops));
    }

    #[test]
    fn token_soup_parses_the_same(text in soup(), ops in prop::collection::vec(op(), 0..3)) {
        assert_same(&mutate(&text, &ops));
    }

    #[test]
    fn heredocs_parse_the_same(text in heredoc(), ops in prop::collection::vec(op(), 0..2)) {
        assert_same(&mutate(&text, &ops));
    }

    #[test]
    fn arbitrary_text_parses_the_same(text in "\\PC{0,80}") {
        assert_same(&text);
    }
}
