//! Human output through miette: source snippets, labels, help; colours only
//! when asked (a terminal), plain text otherwise.

use crate::diag::{Diagnostic, Severity};
use crate::source::SourceMap;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteSpanContents, SourceCode,
    SourceSpan, SpanContents,
};
use std::fmt;

/// One file's text under its name, for miette.
struct Src<'a> {
    name: &'a str,
    text: &'a str,
}

impl SourceCode for Src<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, miette::MietteError> {
        let c = self.text.read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            c.data(),
            *c.span(),
            c.line(),
            c.column(),
            c.line_count(),
        )))
    }
}

struct View<'a> {
    d: &'a Diagnostic,
    src: Src<'a>,
    /// Labels in other files, shown as notes.
    elsewhere: String,
}

impl fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}
impl fmt::Display for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}
impl std::error::Error for View<'_> {}

impl miette::Diagnostic for View<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!(
            "{}({})",
            self.d.code.code, self.d.code.slug
        )))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let mut parts: Vec<String> = Vec::new();
        if let Some(h) = &self.d.help {
            parts.push(h.clone());
        }
        parts.extend(self.d.notes.iter().map(|n| format!("note: {n}")));
        if !self.elsewhere.is_empty() {
            parts.push(self.elsewhere.clone());
        }
        (!parts.is_empty()).then(|| Box::new(parts.join("\n")) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let file = self.d.primary.span.file;
        let primary = std::iter::once(LabeledSpan::new_primary_with_span(
            label_text(&self.d.primary.message),
            span(self.d.primary.span),
        ));
        let others = self
            .d
            .secondary
            .iter()
            .filter(move |l| l.span.file == file)
            .map(|l| LabeledSpan::new_with_span(label_text(&l.message), span(l.span)));
        Some(Box::new(primary.chain(others)))
    }
}

fn label_text(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn span(s: crate::span::Span) -> SourceSpan {
    SourceSpan::new((s.start as usize).into(), s.len())
}

/// Render every diagnostic and a summary line.
pub fn render(sources: &SourceMap, diags: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    for d in diags {
        let file = sources.get(d.primary.span.file);
        let elsewhere: Vec<String> = d
            .secondary
            .iter()
            .filter(|l| l.span.file != d.primary.span.file)
            .map(|l| {
                let p = super::position(sources, l.span);
                format!(
                    "note: {}:{}:{}: {}",
                    sources.get(l.span.file).name,
                    p.line,
                    p.column,
                    l.message
                )
            })
            .collect();
        let view = View {
            d,
            src: Src {
                name: &file.name,
                text: &file.text,
            },
            elsewhere: elsewhere.join("\n"),
        };
        if handler.render_report(&mut out, &view).is_err() {
            out.push_str(&format!("{}: {}\n", d.code.code, d.message));
        }
    }
    let (errors, warnings) = super::counts(diags);
    if errors + warnings > 0 {
        out.push_str(&format!("{} error(s), {} warning(s)\n", errors, warnings));
    }
    out
}
