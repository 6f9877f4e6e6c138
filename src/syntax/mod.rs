//! STAGE 1: text → AST.
//!
//! `parse` never panics and never stops at the first malformed literal: a
//! syntax error yields one E0101 (pest cannot recover), while bad typed
//! literals (E0102/E0103) are collected and the AST still returned.

pub mod ast;
mod depth;
pub mod literal;
pub mod parser;
mod visit;

pub use depth::MAX_DEPTH;

use crate::diag::Diagnostic;
use crate::span::FileId;

/// Parse one file. Returns the AST (empty on a syntax error) and the findings.
pub fn parse(text: &str, file: FileId) -> (ast::File, Vec<Diagnostic>) {
    let empty = ast::File {
        file,
        items: Vec::new(),
        comments: Vec::new(),
    };
    if let Some(d) = depth::check_depth(text, file) {
        return (empty, vec![d]);
    }
    match parser::parse_pairs(text, file) {
        Ok(pairs) => {
            let mut v = visit::Visitor {
                file,
                diagnostics: Vec::new(),
            };
            let ast = v.visit_file(pairs);
            (ast, v.diagnostics)
        }
        Err(d) => (empty, vec![*d]),
    }
}

#[cfg(test)]
mod tests {
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
