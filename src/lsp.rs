//! `stackc lsp`: a Language Server over stdio. It publishes the same
//! diagnostics as `check` on open and change (secondary labels as related
//! information), formats with `fmt`, shows on hover what a reference
//! resolves to (a node group's expanded names and addresses, a network's
//! CIDR, …) and jumps to the block a reference names.
//!
//! Positions are LSP's: 0-based lines, UTF-16 columns.

use crate::diag::{Diagnostic, Severity};
use crate::ir::Ir;
use crate::lower::Options;
use crate::source::{SourceFile, SourceMap};
use crate::span::{FileId, Span};
use crate::syntax::ast::{self, BodyItem, Expr, ExprKind, Item, StrPart};
use lsp_server::{Connection, Message, Notification, Request, Response};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::PathBuf;

pub fn run() -> i32 {
    let (conn, io) = Connection::stdio();
    let caps = json!({
        "textDocumentSync": 1,
        "documentFormattingProvider": true,
        "hoverProvider": true,
        "definitionProvider": true,
    });
    let Ok((id, _params)) = conn.initialize_start() else {
        return 2;
    };
    let result = json!({ "capabilities": caps, "serverInfo": { "name": "stackc", "version": env!("CARGO_PKG_VERSION") } });
    if conn.initialize_finish(id, result).is_err() {
        return 2;
    }
    let mut server = Server {
        docs: HashMap::new(),
    };
    for msg in &conn.receiver {
        match msg {
            Message::Request(req) => {
                if conn.handle_shutdown(&req).unwrap_or(true) {
                    break;
                }
                let resp = server.request(&req);
                if conn.sender.send(Message::Response(resp)).is_err() {
                    break;
                }
            }
            Message::Notification(n) => {
                for out in server.notification(&n) {
                    if conn.sender.send(Message::Notification(out)).is_err() {
                        break;
                    }
                }
            }
            Message::Response(_) => {}
        }
    }
    drop(conn);
    let _ = io.join();
    0
}

struct Server {
    /// uri → text of open documents.
    docs: HashMap<String, String>,
}

/// A path for a `file://` URI (percent-decoded); other schemes as given.
fn uri_to_path(uri: &str) -> PathBuf {
    let raw = uri.strip_prefix("file://").unwrap_or(uri);
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&raw[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    PathBuf::from(String::from_utf8_lossy(&out).into_owned())
}

fn path_to_uri(p: &str) -> String {
    let abs = crate::lower::canonical(std::path::Path::new(p));
    format!("file://{}", abs.display())
}

/// An LSP position (line, UTF-16 column) for a byte offset.
fn position(file: &SourceFile, byte: usize) -> Value {
    let byte = byte.min(file.text.len());
    let line_start = file.text[..byte].rfind('\n').map_or(0, |i| i + 1);
    let line = file.text[..line_start].matches('\n').count();
    let col: usize = file.text[line_start..byte]
        .chars()
        .map(char::len_utf16)
        .sum();
    json!({ "line": line, "character": col })
}

fn range(sources: &SourceMap, span: Span) -> Value {
    let f = sources.get(span.file);
    json!({ "start": position(f, span.start as usize), "end": position(f, span.end as usize) })
}

/// The byte offset of an LSP position.
fn offset(text: &str, pos: &Value) -> usize {
    let line = pos["line"].as_u64().unwrap_or(0) as usize;
    let col = pos["character"].as_u64().unwrap_or(0) as usize;
    let start = text
        .split_inclusive('\n')
        .take(line)
        .map(str::len)
        .sum::<usize>();
    let mut units = 0;
    for (i, c) in text[start.min(text.len())..].char_indices() {
        if units >= col || c == '\n' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

impl Server {
    fn compile(&self, uri: &str) -> Option<crate::Compilation> {
        let text = self.docs.get(uri)?.clone();
        Some(crate::compile_buffer(
            &uri_to_path(uri),
            text,
            &Options::default(),
            false,
        ))
    }

    fn notification(&mut self, n: &Notification) -> Vec<Notification> {
        let uri = n.params["textDocument"]["uri"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        match n.method.as_str() {
            "textDocument/didOpen" => {
                let text = n.params["textDocument"]["text"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                self.docs.insert(uri.clone(), text);
            }
            "textDocument/didChange" => {
                // Full sync: the last change holds the whole text.
                if let Some(text) = n.params["contentChanges"]
                    .as_array()
                    .and_then(|c| c.last())
                    .and_then(|c| c["text"].as_str())
                {
                    self.docs.insert(uri.clone(), text.to_string());
                }
            }
            "textDocument/didClose" => {
                self.docs.remove(&uri);
                return vec![publish(&uri, Vec::new())];
            }
            _ => return Vec::new(),
        }
        let Some(c) = self.compile(&uri) else {
            return Vec::new();
        };
        let root = FileId(0);
        let diags = c
            .diagnostics
            .iter()
            .filter(|d| d.primary.span.file == root)
            .map(|d| lsp_diagnostic(&c.sources, d, &uri))
            .collect();
        vec![publish(&uri, diags)]
    }

    fn request(&self, req: &Request) -> Response {
        let uri = req.params["textDocument"]["uri"]
            .as_str()
            .unwrap_or_default();
        let result = match req.method.as_str() {
            "textDocument/formatting" => self.format(uri),
            "textDocument/hover" => self.hover(uri, &req.params["position"]),
            "textDocument/definition" => self.definition(uri, &req.params["position"]),
            _ => {
                return Response::new_err(
                    req.id.clone(),
                    -32601,
                    format!("unsupported method {}", req.method),
                )
            }
        };
        Response::new_ok(req.id.clone(), result)
    }

    fn format(&self, uri: &str) -> Value {
        let Some(text) = self.docs.get(uri) else {
            return Value::Null;
        };
        let Ok(formatted) = crate::fmt::format_source(text, FileId(0)) else {
            return Value::Null;
        };
        if &formatted == text {
            return json!([]);
        }
        let f = SourceFile::new("doc", text.as_str());
        json!([{ "range": { "start": { "line": 0, "character": 0 }, "end": position(&f, text.len()) }, "newText": formatted }])
    }

    fn hover(&self, uri: &str, pos: &Value) -> Value {
        let (Some(c), Some(text)) = (self.compile(uri), self.docs.get(uri)) else {
            return Value::Null;
        };
        let (Some(ir), Some(ast)) = (c.ir.as_ref(), parse_root(text)) else {
            return Value::Null;
        };
        let at = offset(text, pos);
        let Some((name, span)) = name_at(&ast, at) else {
            return Value::Null;
        };
        let Some(info) = describe(ir, &name) else {
            return Value::Null;
        };
        json!({ "contents": { "kind": "markdown", "value": info }, "range": range(&c.sources, span) })
    }

    fn definition(&self, uri: &str, pos: &Value) -> Value {
        let (Some(c), Some(text)) = (self.compile(uri), self.docs.get(uri)) else {
            return Value::Null;
        };
        let (Some(ir), Some(ast)) = (c.ir.as_ref(), parse_root(text)) else {
            return Value::Null;
        };
        let Some((name, _)) = name_at(&ast, offset(text, pos)) else {
            return Value::Null;
        };
        let Some(span) = defining_span(ir, &name) else {
            return Value::Null;
        };
        let file = &c.sources.get(span.file).name;
        if file.starts_with("<stdlib>") {
            return Value::Null;
        }
        let target = if span.file == FileId(0) {
            uri.to_string()
        } else {
            path_to_uri(file)
        };
        json!({ "uri": target, "range": range(&c.sources, Span { end: span.start, ..span }) })
    }
}

fn publish(uri: &str, diagnostics: Vec<Value>) -> Notification {
    Notification::new(
        "textDocument/publishDiagnostics".into(),
        json!({ "uri": uri, "diagnostics": diagnostics }),
    )
}

fn lsp_diagnostic(sources: &SourceMap, d: &Diagnostic, uri: &str) -> Value {
    let mut message = d.message.clone();
    if !d.primary.message.is_empty() {
        message.push_str(&format!("\n{}", d.primary.message));
    }
    if let Some(h) = &d.help {
        message.push_str(&format!("\nhelp: {h}"));
    }
    let related: Vec<Value> = d
        .secondary
        .iter()
        .map(|l| {
            let file = &sources.get(l.span.file).name;
            let target = if l.span.file == FileId(0) { uri.to_string() } else { path_to_uri(file) };
            json!({ "location": { "uri": target, "range": range(sources, l.span) }, "message": l.message })
        })
        .collect();
    json!({
        "range": range(sources, d.primary.span),
        "severity": if d.severity == Severity::Error { 1 } else { 2 },
        "code": d.code.code,
        "codeDescription": { "href": format!("https://stackc.dev/checks/{}.html", d.code.code) },
        "source": "stackc",
        "message": message,
        "relatedInformation": related,
    })
}

fn parse_root(text: &str) -> Option<ast::File> {
    let (file, diags) = crate::syntax::parse(text, FileId(0));
    (!diags.iter().any(|d| d.code.code == "E0101")).then_some(file)
}

/// The dotted name (reference or symbol) or node label under `at`.
fn name_at(file: &ast::File, at: usize) -> Option<(String, Span)> {
    let inside = |s: Span| (s.start as usize) <= at && at <= (s.end as usize);
    for item in &file.items {
        if let Item::Block(b) = item {
            if let Some(hit) = in_block(b, &inside) {
                return Some(hit);
            }
        }
    }
    None
}

fn in_block(b: &ast::Block, inside: &dyn Fn(Span) -> bool) -> Option<(String, Span)> {
    if !inside(b.span) {
        return None;
    }
    if let Some(l) = b.labels.first().filter(|l| inside(l.span)) {
        return Some((format!("{}.{}", b.kind.name, l.value), l.span));
    }
    for i in &b.body {
        match i {
            BodyItem::Attribute(a) if inside(a.value.span) => return in_expr(&a.value, inside),
            BodyItem::Block(nb) => {
                if let Some(hit) = in_block(nb, inside) {
                    return Some(hit);
                }
            }
            _ => {}
        }
    }
    None
}

fn in_expr(e: &Expr, inside: &dyn Fn(Span) -> bool) -> Option<(String, Span)> {
    match &e.kind {
        ExprKind::Name(n) => Some((n.to_string(), e.span)),
        ExprKind::List(items) => items
            .iter()
            .find(|i| inside(i.span))
            .and_then(|i| in_expr(i, inside)),
        ExprKind::Object(items) => items
            .iter()
            .find(|i| inside(i.value.span))
            .and_then(|i| in_expr(&i.value, inside)),
        ExprKind::Call(call) => call
            .args
            .iter()
            .find(|i| inside(i.span))
            .and_then(|i| in_expr(i, inside)),
        ExprKind::String(parts) => parts.iter().find_map(|p| match p {
            StrPart::Interp(x) if inside(x.span) => in_expr(x, inside),
            _ => None,
        }),
        _ => None,
    }
}

/// Markdown for what a name denotes.
fn describe(ir: &Ir, name: &str) -> Option<String> {
    let (kind, rest) = name.split_once('.').unwrap_or(("", name));
    let rest = rest.split('.').next().unwrap_or(rest);
    match kind {
        "node" => {
            let nodes: Vec<&crate::ir::Node> = ir
                .nodes
                .iter()
                .filter(|n| n.group == rest || n.name == rest)
                .collect();
            let first = nodes.first()?;
            let mut s = format!(
                "**node `{rest}`** — {}\n\n",
                first
                    .roles
                    .value
                    .iter()
                    .map(|r| r.word())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for n in &nodes {
                let vm = n.vm.as_ref().map_or_else(
                    || "bare metal".to_string(),
                    |v| {
                        format!(
                            "VM {} on `{}`",
                            v.id.value,
                            ir.hypervisor(v.host.value).name
                        )
                    },
                );
                s.push_str(&format!(
                    "- `{}` ({}) {} — {}\n",
                    n.name, n.hostname.value, n.ip.value, vm
                ));
            }
            Some(s)
        }
        "network" => ir.networks.iter().find(|n| n.name == rest).map(|n| {
            let mut s = format!("**network `{}`** {}", n.name, n.cidr.value);
            if let Some(g) = &n.gateway {
                s.push_str(&format!(", gateway {}", g.value));
            }
            if let Some(v) = &n.vlan {
                s.push_str(&format!(", VLAN {} on {}", v.value, n.bridge));
            }
            let count = ir
                .nodes
                .iter()
                .filter(|x| ir.network(x.network.value).name == n.name)
                .count();
            s.push_str(&format!("\n\n{count} node(s)"));
            s
        }),
        "hypervisor" => ir.hypervisors.iter().find(|h| h.name == rest).map(|h| {
            let vms = ir
                .nodes
                .iter()
                .filter(|n| {
                    n.vm.as_ref()
                        .is_some_and(|v| ir.hypervisor(v.host.value).name == h.name)
                })
                .count();
            format!(
                "**hypervisor `{}`** {} ({}), {vms} VM(s)",
                h.name, h.endpoint, h.arch.value
            )
        }),
        "addon" | "chart" => ir.charts.iter().find(|c| c.name == rest).map(|c| {
            format!(
                "**addon `{}`** — chart `{}` {} from {}\n\nnamespace `{}`{}",
                c.name,
                c.chart,
                c.version,
                c.repo,
                c.namespace,
                c.description
                    .as_ref()
                    .map_or(String::new(), |d| format!("\n\n{d}"))
            )
        }),
        _ => ir
            .images
            .iter()
            .find(|i| i.name == name || i.name == rest)
            .map(|i| {
                let urls: Vec<String> = i.urls.iter().map(|(a, u)| format!("- {a}: {u}")).collect();
                format!(
                    "**image `{}`** ({} family)\n\n{}",
                    i.name,
                    i.family,
                    urls.join("\n")
                )
            }),
    }
}

/// Where the block a name refers to is defined.
fn defining_span(ir: &Ir, name: &str) -> Option<Span> {
    let (kind, rest) = name.split_once('.')?;
    let rest = rest.split('.').next().unwrap_or(rest);
    match kind {
        "node" => ir
            .nodes
            .iter()
            .find(|n| n.group == rest || n.name == rest)
            .map(|n| n.span),
        "network" => ir.networks.iter().find(|n| n.name == rest).map(|n| n.span),
        "hypervisor" => ir
            .hypervisors
            .iter()
            .find(|h| h.name == rest)
            .map(|h| h.span),
        "addon" | "chart" => ir.charts.iter().find(|c| c.name == rest).map(|c| c.span),
        "image" => ir.images.iter().find(|i| i.name == rest).map(|i| i.span),
        _ => None,
    }
}
