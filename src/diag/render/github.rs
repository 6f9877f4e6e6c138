//! `--format github`: GitHub Actions workflow commands, one line per
//! finding, so findings appear as annotations on the pull request.

use super::position;
use crate::diag::{Diagnostic, Severity};
use crate::source::SourceMap;

/// Workflow-command escaping: data escapes `%`, CR, LF; properties also `:` and `,`.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let p = position(sources, d.primary.span);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = d.message.clone();
        if !d.primary.message.is_empty() {
            message.push_str(&format!(" ({})", d.primary.message));
        }
        if let Some(h) = &d.help {
            message.push_str(&format!("\nhelp: {h}"));
        }
        out.push_str(&format!(
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            property(&sources.get(d.primary.span.file).name),
            p.line,
            p.column,
            p.end_line,
            p.end_column,
            property(&format!("{} {}", d.code.code, d.code.slug)),
            data(&message)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(super::data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(super::property("x,y:z"), "x%2Cy%3Az");
    }
}
