//! E0309: hostnames must be RFC 1123 labels (1-63 of `a-z 0-9 -`, not
//! starting or ending with `-`) and unique: kubelet registers nodes by
//! hostname, and two nodes with one name fight over one Node object.

use crate::diag::{codes, Diagnostic, Sink};
use crate::ir::Ir;
use std::collections::HashMap;

pub fn check(ir: &Ir, sink: &mut Sink) {
    let mut seen: HashMap<&str, &crate::ir::Node> = HashMap::new();
    let mut reported = std::collections::HashSet::new();
    for n in &ir.nodes {
        let h = n.hostname.value.as_str();
        if let Some(why) = invalid(h) {
            if reported.insert(n.hostname.span) {
                sink.push(
                    Diagnostic::new(&codes::HOSTNAME, n.hostname.span, format!("`{h}` is not a valid hostname"))
                        .label(why)
                        .help("hostnames are 1-63 lowercase letters, digits and `-`, starting and ending with a letter or digit"),
                );
            }
            continue;
        }
        if let Some(first) = seen.get(h) {
            sink.push(
                Diagnostic::new(
                    &codes::HOSTNAME,
                    n.hostname.span,
                    format!(
                        "{} and {} are both named `{h}`",
                        first.describe(),
                        n.describe()
                    ),
                )
                .label("hostname used again")
                .with_secondary(first.hostname.span, "first used here")
                .help("use `${n}` in a counted node's `hostname` template, or rename one of them"),
            );
        } else {
            seen.insert(h, n);
        }
    }
}

fn invalid(h: &str) -> Option<String> {
    if h.is_empty() || h.len() > 63 {
        return Some(format!("{} characters; a label has 1 to 63", h.len()));
    }
    if let Some(c) = h
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!("`{c}` is not allowed"));
    }
    if h.starts_with('-') || h.ends_with('-') {
        return Some("starts or ends with `-`".into());
    }
    None
}
