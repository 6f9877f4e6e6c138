//! E0309: hostnames must be RFC 1123 labels (1-63 of `a-z 0-9 -`, not
//! starting or ending with `-`), fit in a 253-character FQDN with the site's
//! domain, and be unique: kubelet registers nodes by hostname, and two nodes
//! with one name fight over one Node object.

use crate::diag::{codes, Diagnostic, Sink};
use crate::ir::{Ir, Node};
use crate::span::Span;
use std::collections::BTreeMap;

pub fn check(ir: &Ir, sink: &mut Sink) {
    invalid(ir, sink);
    duplicates(ir, sink);
}

fn invalid(ir: &Ir, sink: &mut Sink) {
    let domain = ir.site.domain.as_deref().unwrap_or("");
    // A template gives every node of a group the same problem: report once.
    let mut by_span: BTreeMap<Span, Vec<&Node>> = BTreeMap::new();
    for n in ir
        .nodes
        .iter()
        .filter(|n| why_invalid(&n.hostname.value, domain).is_some())
    {
        by_span.entry(n.hostname.span).or_default().push(n);
    }
    for (span, nodes) in by_span {
        let h = &nodes[0].hostname.value;
        let why = why_invalid(h, domain).unwrap_or_default();
        let names: Vec<String> = nodes
            .iter()
            .map(|n| format!("`{}`", n.hostname.value))
            .collect();
        let subject = if nodes.len() > 1 {
            format!("the `hostname` template gives {}", names.join(", "))
        } else {
            format!("`{h}` is not a valid hostname")
        };
        let suggestion = h.to_ascii_lowercase().replace(['_', '.', ' '], "-");
        let mut d = Diagnostic::new(&codes::HOSTNAME, span, subject).label(why);
        d = if suggestion != *h && why_invalid(&suggestion, "").is_none() {
            d.help(format!(
                "did you mean `{suggestion}`? hostnames are lowercase letters, digits and `-`"
            ))
        } else {
            d.help("hostnames are 1-63 lowercase letters, digits and `-`, starting and ending with a letter or digit")
        };
        sink.push(d);
    }
}

fn why_invalid(h: &str, domain: &str) -> Option<String> {
    if h.is_empty() || h.len() > 63 {
        return Some(format!("{} characters; a label has 1 to 63", h.len()));
    }
    if let Some(c) = h
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!("`{c}` is not allowed in a hostname"));
    }
    if h.starts_with('-') || h.ends_with('-') {
        return Some("starts or ends with `-`".into());
    }
    if !domain.is_empty() && h.len() + 1 + domain.len() > 253 {
        return Some(format!(
            "`{h}.{domain}` is {} characters; an FQDN has at most 253",
            h.len() + 1 + domain.len()
        ));
    }
    None
}

fn duplicates(ir: &Ir, sink: &mut Sink) {
    // Sort once and look at runs: no per-node allocation for a fleet whose
    // hostnames are all distinct. (A stable sort keeps stack order in a run.)
    let mut sorted: Vec<&Node> = ir.nodes.iter().collect();
    sorted.sort_by(|a, b| a.hostname.value.cmp(&b.hostname.value));
    let mut dups: Vec<(&str, Vec<&Node>)> = sorted
        .chunk_by(|a, b| a.hostname.value == b.hostname.value)
        .filter(|run| run.len() > 1)
        .map(|run| (run[0].hostname.value.as_str(), run.to_vec()))
        .collect();
    dups.sort_by_key(|(_, ns)| ns[1].hostname.span);
    for (h, nodes) in dups {
        let names: Vec<String> = nodes.iter().map(|n| format!("`{}`", n.name)).collect();
        let same_template = nodes
            .iter()
            .all(|n| n.hostname.span == nodes[0].hostname.span);
        let mut d = Diagnostic::new(
            &codes::HOSTNAME,
            nodes[nodes.len() - 1].hostname.span,
            format!("{} all get hostname `{h}`", names.join(", ")),
        )
        .label("hostname used more than once");
        if same_template {
            d = d.help(format!(
                "put `${{n}}` in the template: `hostname = \"{h}-${{n}}\"`"
            ));
        } else {
            d = d
                .with_secondary(nodes[0].hostname.span, "first used here")
                .help("rename one of them");
        }
        sink.push(d);
    }
}
