//! `--format json`: the document shape of language.md §5, lines and
//! columns 1-based, columns in characters.

use super::position;
use crate::diag::Diagnostic;
use crate::source::SourceMap;
use serde::Serialize;

#[derive(Serialize)]
struct Doc<'a> {
    diagnostics: Vec<Item<'a>>,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct Item<'a> {
    code: &'a str,
    slug: &'a str,
    severity: crate::diag::Severity,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    labels: Vec<LabelOut<'a>>,
    help: Option<&'a str>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct LabelOut<'a> {
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    primary: bool,
}

pub fn render(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    let label = |l: &'_ crate::diag::Label, primary| {
        let p = position(sources, l.span);
        LabelOut {
            message: "",
            file: "",
            line: p.line,
            column: p.column,
            end_line: p.end_line,
            end_column: p.end_column,
            primary,
        }
    };
    let items = diags
        .iter()
        .map(|d| {
            let p = position(sources, d.primary.span);
            let mut labels = vec![LabelOut {
                message: &d.primary.message,
                file: &sources.get(d.primary.span.file).name,
                ..label(&d.primary, true)
            }];
            labels.extend(d.secondary.iter().map(|l| LabelOut {
                message: &l.message,
                file: &sources.get(l.span.file).name,
                ..label(l, false)
            }));
            Item {
                code: d.code.code,
                slug: d.code.slug,
                severity: d.severity,
                message: &d.message,
                file: &sources.get(d.primary.span.file).name,
                line: p.line,
                column: p.column,
                end_line: p.end_line,
                end_column: p.end_column,
                labels,
                help: d.help.as_deref(),
                notes: &d.notes,
            }
        })
        .collect();
    let (errors, warnings) = super::counts(diags);
    let doc = Doc {
        diagnostics: items,
        errors,
        warnings,
    };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into()) + "\n"
}
