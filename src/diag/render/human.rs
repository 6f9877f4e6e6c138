//! Human output through miette: source snippets, labels, help; colours only
//! when asked (a terminal), plain text otherwise.

use crate::diag::{Diagnostic, Severity};
use crate::source::{SourceFile, SourceMap};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteSpanContents, SourceCode,
    SourceSpan, SpanContents,
};
use std::fmt;

/// One file's text under its name, for miette.
struct Src<'a> {
    file: &'a SourceFile,
}

impl SourceCode for Src<'_> {
    /// miette's own `str` reader counts lines from the start of the text;
    /// it reads a window of whole lines here instead, and the result is
    /// shifted back to the whole file's offsets and line numbers.
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, miette::MietteError> {
        let text = self.file.text.as_str();
        // miette also breaks lines at a lone `\r`, which the line table does
        // not: such a file is read whole, as miette would.
        if memchr::memchr(b'\r', text.as_bytes()).is_some() {
            let c = text.read_span(span, before, after)?;
            return Ok(Box::new(MietteSpanContents::new_named(
                self.file.name.clone(),
                c.data(),
                *c.span(),
                c.line(),
                c.column(),
                c.line_count(),
            )));
        }
        let (start, end) = (span.offset(), span.offset() + span.len());
        // One line more before: miette looks at the byte before a span.
        let (from, to, first_line) = self.file.line_window(start, end, before + 1, after);
        let window = text.get(from..to).unwrap_or("");
        let local = SourceSpan::new(start.saturating_sub(from).into(), span.len());
        let c = window.read_span(&local, before, after)?;
        let found = SourceSpan::new((c.span().offset() + from).into(), c.span().len());
        Ok(Box::new(MietteSpanContents::new_named(
            self.file.name.clone(),
            c.data(),
            found,
            c.line() + first_line,
            c.column(),
            c.line_count() + first_line,
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
            src: Src { file },
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

#[cfg(test)]
mod window_tests {
    use super::*;

    /// The windowed reader answers exactly as miette's whole-text reader.
    #[test]
    fn reading_a_window_equals_reading_the_whole_text() {
        for text in [
            "a {\n  x = 1\n\n  y = [\n    2,\n  ]\n}\n\nb \"c\" {\n  z = 3\n}\n",
            "\n\nx\n\n\ny = 1 # é\nz",
            "a {\r\n  x = 1\r\n}\r",
        ] {
            same_as_whole_text(text);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_reads_the_same_through_a_window(text in "[a\n =é]{0,80}") {
            same_as_whole_text(&text);
        }
    }

    fn same_as_whole_text(text: &str) {
        let file = SourceFile::new("t.stack", text);
        let src = Src { file: &file };
        for start in 0..=text.len() {
            for len in [0, 1, 3, 9, 20] {
                if !text.is_char_boundary(start) {
                    continue;
                }
                for (before, after) in [(0, 0), (1, 1), (2, 3), (5, 5)] {
                    let span = SourceSpan::new(start.into(), len);
                    let want = text.read_span(&span, before, after);
                    let got = src.read_span(&span, before, after);
                    match (want, got) {
                        (Ok(w), Ok(g)) => {
                            let at = format!("{start}+{len} ({before},{after})");
                            assert_eq!(w.data(), g.data(), "{at}");
                            assert_eq!(w.span(), g.span(), "{at}");
                            assert_eq!(w.line(), g.line(), "{at}");
                            assert_eq!(w.column(), g.column(), "{at}");
                            assert_eq!(w.line_count(), g.line_count(), "{at}");
                        }
                        (Err(_), Err(_)) => {}
                        (w, g) => panic!("{start}+{len}: {:?} vs {:?}", w.is_ok(), g.is_ok()),
                    }
                }
            }
        }
    }
}
