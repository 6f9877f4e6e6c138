//! Renderers: one per `--format`. All read the same plain [`Diagnostic`]s.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use super::Diagnostic;
use crate::source::SourceMap;

/// Where a label lands: 1-based line and character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub fn position(sources: &SourceMap, span: crate::span::Span) -> Position {
    let ((line, column), (end_line, end_column)) = sources.line_col(span);
    Position {
        line,
        column,
        end_line,
        end_column,
    }
}

/// Counts for the summary line and the JSON document.
pub fn counts(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    (errors, diags.len() - errors)
}
