//! The one collector of findings: sorts by position, removes duplicates,
//! applies `allow` blocks (reporting unused ones) and `--deny warnings`.

use super::{codes, Code, Diagnostic, Severity};
use crate::span::Span;

/// An `allow "code-or-slug" { reason = "…" }` in the source.
#[derive(Debug, Clone)]
pub struct Allow {
    pub code: &'static Code,
    /// Findings whose primary span lies inside this scope are suppressed;
    /// `None` is the whole stack (a top-level allow).
    pub scope: Option<Span>,
    /// The span of the allow block itself, for W0904.
    pub span: Span,
}

#[derive(Debug, Default)]
pub struct Sink {
    diagnostics: Vec<Diagnostic>,
}

impl Sink {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.diagnostics.extend(ds);
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn len(&self) -> usize {
        self.diagnostics.len()
    }

    pub fn is_empty(&self) -> bool {
        self.diagnostics.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter()
    }

    /// Finish: suppress allowed findings, warn about unused allows, apply
    /// `deny_warnings`, sort by (file, position) and deduplicate.
    pub fn finish(mut self, allows: &[Allow], deny_warnings: bool) -> Vec<Diagnostic> {
        let mut used = vec![false; allows.len()];
        self.diagnostics.retain(|d| {
            let hit = allows.iter().position(|a| {
                a.code == d.code && a.scope.is_none_or(|s| s.contains(d.primary.span))
            });
            if let Some(i) = hit {
                used[i] = true;
            }
            hit.is_none()
        });
        for (a, used) in allows.iter().zip(used) {
            if !used {
                self.diagnostics.push(
                    Diagnostic::new(&codes::UNUSED_ALLOW, a.span, format!("`allow \"{}\"` suppresses nothing", a.code.slug))
                        .label("no finding of this rule lies in its scope")
                        .help("remove the allow, or move it into the block whose finding it should accept"),
                );
            }
        }
        if deny_warnings {
            for d in &mut self.diagnostics {
                d.severity = Severity::Error;
            }
        }
        let mut ds = self.diagnostics;
        ds.sort_by(|a, b| {
            (
                a.primary.span.file,
                a.primary.span.start,
                a.primary.span.end,
                a.code.code,
                &a.message,
            )
                .cmp(&(
                    b.primary.span.file,
                    b.primary.span.start,
                    b.primary.span.end,
                    b.code.code,
                    &b.message,
                ))
        });
        ds.dedup();
        ds
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::FileId;

    fn at(start: usize) -> Span {
        Span::new(FileId(0), start, start + 1)
    }

    #[test]
    fn sorts_dedups_and_applies_allows() {
        let mut sink = Sink::new();
        sink.push(Diagnostic::new(&codes::ETCD_EVEN, at(50), "b"));
        sink.push(Diagnostic::new(&codes::SYNTAX, at(10), "a"));
        sink.push(Diagnostic::new(&codes::SYNTAX, at(10), "a"));
        let allows = [
            Allow {
                code: &codes::ETCD_EVEN,
                scope: Some(Span::new(FileId(0), 40, 60)),
                span: at(40),
            },
            Allow {
                code: &codes::CAPACITY,
                scope: None,
                span: at(5),
            },
        ];
        let out = sink.finish(&allows, false);
        let codes: Vec<_> = out.iter().map(|d| d.code.code).collect();
        assert_eq!(codes, ["W0904", "E0101"]);
    }

    #[test]
    fn deny_warnings_turns_warnings_into_errors() {
        let mut sink = Sink::new();
        sink.push(Diagnostic::new(&codes::ETCD_SINGLE, at(1), "w"));
        let out = sink.finish(&[], true);
        assert_eq!(out[0].severity, Severity::Error);
    }
}
