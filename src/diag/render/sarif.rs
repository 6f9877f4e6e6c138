//! `--format sarif`: SARIF 2.1.0 for code-scanning UIs.

use super::position;
use crate::diag::{codes, Diagnostic, Severity};
use crate::source::SourceMap;
use serde_json::{json, Value};

pub fn render(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    let rules: Vec<Value> = codes::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.code,
                "name": c.slug,
                "shortDescription": { "text": c.summary },
                "defaultConfiguration": { "level": level(c.severity) },
            })
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut message = d.message.clone();
            if let Some(h) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(h);
            }
            json!({
                "ruleId": d.code.code,
                "ruleIndex": codes::ALL.iter().position(|c| c.code == d.code.code),
                "level": level(d.severity),
                "message": { "text": message },
                "locations": [location(sources, &d.primary)],
                "relatedLocations": d.secondary.iter().enumerate().map(|(i, l)| {
                    let mut loc = location(sources, l);
                    loc["id"] = json!(i);
                    loc
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "stackc",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/stackc/stackc",
                "rules": rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn location(sources: &SourceMap, l: &crate::diag::Label) -> Value {
    let p = position(sources, l.span);
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": sources.get(l.span.file).name },
            "region": {
                "startLine": p.line, "startColumn": p.column,
                "endLine": p.end_line, "endColumn": p.end_column,
            },
        },
        "message": { "text": l.message },
    })
}
