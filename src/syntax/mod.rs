//! STAGE 1: text → AST.
//!
//! `parse` never panics and never stops at the first malformed literal: a
//! syntax error yields one E0101 (no recovery), while bad typed literals
//! (E0102/E0103) are collected and the AST still returned.
//!
//! Two parsers read `grammar/stack.pest`. The pest parser (`parser.rs`, with
//! `visit.rs` turning its pairs into the AST) is the reference and words the
//! syntax errors; the hand-written one (`lexer.rs`, `descent.rs`) is about
//! ten times faster and builds the same AST. `parse` runs the fast one;
//! only when it fails does pest run, on the failing statement onward, to
//! say what was expected there. The differential tests (`tests/parser_diff.rs`,
//! the `parse` fuzz target) hold the two to the same results.

pub mod ast;
mod depth;
mod descent;
mod lexer;
pub mod literal;
pub mod parser;
mod visit;

pub use depth::MAX_DEPTH;

use crate::diag::Diagnostic;
use crate::span::FileId;
use descent::Failure;

/// Parse one file. Returns the AST (empty on a syntax error) and the findings.
pub fn parse(text: &str, file: FileId) -> (ast::File, Vec<Diagnostic>) {
    parse_traced(text, file).0
}

/// Which way [`parse_traced`] went, for the differential tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The depth pre-pass rejected the file.
    Depth,
    /// The fast parser accepted the file.
    Fast,
    /// The fast parser met nesting the pre-pass missed.
    TooDeep,
    /// The fast parser failed and pest, on the failing statement onward,
    /// worded the error.
    StatementError,
    /// The fast parser failed but pest accepted that statement: the parsers
    /// disagree, and the whole file went through pest. A bug if it happens.
    Fallback,
}

/// [`parse`], and which parser produced the result.
pub fn parse_traced(text: &str, file: FileId) -> ((ast::File, Vec<Diagnostic>), Route) {
    if let Some(d) = depth::check_depth(text, file) {
        return ((empty(file), vec![d]), Route::Depth);
    }
    match fast(text, file, SPLIT_LEN) {
        Ok(parsed) => (parsed, Route::Fast),
        Err(Failure::TooDeep(d)) => ((empty(file), vec![*d]), Route::TooDeep),
        Err(Failure::Syntax {
            stmt_start,
            whole_file,
        }) => {
            let from = if whole_file { 0 } else { stmt_start };
            match statement_error(text, from, file) {
                Some(d) => ((empty(file), vec![d]), Route::StatementError),
                None => (parse_reference(text, file), Route::Fallback),
            }
        }
    }
}

/// Files at least this long are parsed in two halves on two threads.
const SPLIT_LEN: usize = 256 * 1024;

/// The fast parser; on two threads for a file of `min_len` bytes or more.
/// The halves meet after a line that is just `}` near the middle. That the
/// first half parses whole proves the line closed a top-level block (a
/// split inside a block, string, heredoc or comment leaves it unterminated),
/// and the second half then starts where one thread would stand. Any failure
/// parses the whole file again on one thread, so errors are found and worded
/// exactly as without the split.
fn fast(text: &str, file: FileId, min_len: usize) -> Result<(ast::File, Vec<Diagnostic>), Failure> {
    if text.len() >= min_len {
        if let Some(mid) = split_point(text) {
            if let Some(parsed) = parse_halves(text, file, mid) {
                return Ok(parsed);
            }
        }
    }
    descent::parse(text, file)
}

/// Just after the first line `}` in the second half of `text`.
fn split_point(text: &str) -> Option<usize> {
    let half = text.len() / 2;
    let from = text.get(half.saturating_sub(1)..)?;
    memchr::memmem::find(from.as_bytes(), b"\n}\n").map(|i| half.saturating_sub(1) + i + 3)
}

fn parse_halves(text: &str, file: FileId, mid: usize) -> Option<(ast::File, Vec<Diagnostic>)> {
    let (first, second) = std::thread::scope(|s| {
        // The main thread's stack size: nesting is bounded (MAX_DEPTH), but
        // the second half should not have less room than the first.
        let second = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn_scoped(s, || descent::parse_range(text, file, mid, text.len()));
        let first = descent::parse_range(text, file, 0, mid);
        (first, second.ok().and_then(|h| h.join().ok()))
    });
    let ((mut ast, mut diags), (rest, rest_diags)) = (first.ok()?, second?.ok()?);
    ast.items.extend(rest.items);
    ast.comments.extend(rest.comments);
    diags.extend(rest_diags);
    Some((ast, diags))
}

/// The reference path: the pest parser and `visit.rs` on the whole file.
/// Slower; kept as the oracle the fast parser is tested against, and as the
/// fallback should the two ever disagree.
pub fn parse_reference(text: &str, file: FileId) -> (ast::File, Vec<Diagnostic>) {
    if let Some(d) = depth::check_depth(text, file) {
        return (empty(file), vec![d]);
    }
    match parser::parse_pairs(text, 0, file) {
        Ok(pairs) => {
            let mut v = visit::Visitor {
                file,
                diagnostics: Vec::new(),
            };
            let ast = v.visit_file(pairs);
            (ast, v.diagnostics)
        }
        Err(d) => (empty(file), vec![*d]),
    }
}

/// How the two parsers differ on `text`, if they do: the check behind the
/// differential tests and the `parse` fuzz target.
#[doc(hidden)]
pub fn parsers_disagree(text: &str) -> Option<String> {
    let file = FileId(0);
    // The two-thread split (here on any size) is the one-thread parse.
    let (split, whole) = (fast(text, file, 0), descent::parse(text, file));
    if format!("{split:?}") != format!("{whole:?}") {
        return Some(format!(
            "the split parse differs\n--- split: {split:#?}\n--- whole: {whole:#?}"
        ));
    }
    let (fast, route) = parse_traced(text, file);
    match route {
        // Nesting the pre-pass missed: pest itself could overflow the stack.
        Route::TooDeep => return None,
        Route::Fallback => {
            return Some("the fast parser rejects a statement pest accepts".into());
        }
        Route::Fast | Route::StatementError => {
            let accepted = route == Route::Fast;
            if accepted != parser::accepts(text) {
                return Some(format!(
                    "the fast parser accepts: {accepted}, pest: {}",
                    !accepted
                ));
            }
        }
        Route::Depth => {}
    }
    let (ast, diags) = parse_reference(text, file);
    if fast.1 != diags {
        return Some(format!(
            "diagnostics differ\n--- fast: {:#?}\n--- pest: {diags:#?}",
            fast.1
        ));
    }
    if fast.0 != ast {
        return Some(format!(
            "ASTs differ\n--- fast: {:#?}\n--- pest: {ast:#?}",
            fast.0
        ));
    }
    None
}

/// pest's E0101 for a file whose parse fails at the statement starting at
/// byte `from` (0 for the whole file), parsing only from there on; `None` if
/// pest accepts that part after all.
///
/// The part is parsed with one whitespace character in front: pest's error
/// then sees the same state at the statement as in a whole-file parse (after
/// at least one token). Parsed from its very first byte, a failing `file`
/// rule would replace what was expected with itself ("expected `import`").
/// The whitespace is the byte before the statement when it is one, and a
/// space in a copy otherwise.
fn statement_error(text: &str, from: usize, file: FileId) -> Option<Diagnostic> {
    let result = if from == 0 {
        parser::parse_pairs(text, 0, file).err()
    } else {
        let base = from - 1;
        if lexer::is_whitespace(text.as_bytes()[base]) {
            parser::parse_pairs(&text[base..], base, file).err()
        } else {
            let padded = format!(" {}", &text[from..]);
            parser::parse_pairs(&padded, base, file).err()
        }
    };
    result.map(|d| *d)
}

fn empty(file: FileId) -> ast::File {
    ast::File {
        file,
        items: Vec::new(),
        comments: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_split_between_blocks_parses_in_two_halves_as_in_one() {
        let text = "# a\nnode \"a\" {\n  ip = 10.0.0.1\n}\n# b\nnode \"b\" {\n  memory = 4GiB\n}\nnode \"c\" {\n  x = 300.0.0.1\n}\n";
        let mid = split_point(text).expect("a `}` line in the second half");
        assert_eq!(&text[mid - 2..mid], "}\n");
        let split = parse_halves(text, FileId(0), mid).expect("both halves parse");
        let whole = descent::parse(text, FileId(0)).expect("the file parses");
        assert_eq!(split.0, whole.0);
        assert_eq!(split.1, whole.1);
        assert_eq!(whole.0.comments.len(), 2);
        assert!(!whole.1.is_empty(), "the bad literal is reported once");
    }

    #[test]
    fn a_split_inside_a_block_string_heredoc_or_comment_is_refused() {
        for text in [
            "a {\n  b {\n    x = 1\n}\n  y = 2\n}\n",
            "a {\n  s = \"\n}\n\"\n}\n",
            "a {\n  h = <<EOT\n}\nEOT\n}\n",
            "a {\n}\n/*\n}\n*/\nb {\n}\n",
        ] {
            let mid = split_point(text).expect("a `}` line");
            let whole = descent::parse(text, FileId(0));
            if let Some(split) = parse_halves(text, FileId(0), mid) {
                let whole = whole.as_ref().expect("the split parsed, so the file does");
                assert_eq!(split.0, whole.0, "{text:?}");
            }
            assert_eq!(
                format!("{:?}", fast(text, FileId(0), 0)),
                format!("{whole:?}"),
                "{text:?}"
            );
        }
    }

    #[test]
    fn nesting_the_pre_pass_misses_is_still_bounded() {
        // The pre-pass ends a heredoc only at a line that is just the tag;
        // the grammar also ends it at `EOT c = …`, so this nesting is hidden
        // from the pre-pass and meets the fast parser's own limit.
        let n = 100_000;
        let text = format!(
            "a {{ b = <<EOT\nx\nEOT c = {}{} }}",
            "[".repeat(n),
            "]".repeat(n)
        );
        let ((ast, diags), route) = parse_traced(&text, FileId(0));
        assert_eq!(route, Route::TooDeep);
        assert!(ast.items.is_empty());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].message, "nesting deeper than 64 levels");
    }

    #[test]
    fn an_error_is_worded_from_the_failing_statement_on() {
        // After a block and a comment ending right before the statement, the
        // byte before it is not whitespace: pest gets a padded copy.
        let text = "a {}\n/* c */}";
        let (fast, route) = parse_traced(text, FileId(0));
        assert_eq!(route, Route::StatementError);
        assert_eq!(fast, parse_reference(text, FileId(0)));
        assert_eq!(fast.1[0].primary.span.start, 12);
    }

    #[test]
    fn comments_are_collected() {
        let (f, d) = super::parse(
            "# top\nsite \"x\" { # t\n a = 1 // hi\n}\n",
            crate::span::FileId(0),
        );
        assert!(d.is_empty());
        let texts: Vec<&str> = f.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["# top", "# t", "// hi"]);
    }
}
