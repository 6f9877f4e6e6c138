//! pest pairs → AST, by hand: one small `visit_<rule>` per grammar rule,
//! span taken first. Grammar invariants are `expect`s on pair shapes the
//! grammar guarantees; user mistakes become diagnostics.

use super::ast::*;
use super::literal;
use super::parser::Rule;
use crate::diag::{codes, Diagnostic};
use crate::span::{FileId, Span};
use pest::iterators::{Pair, Pairs};

pub struct Visitor {
    pub file: FileId,
    pub diagnostics: Vec<Diagnostic>,
}

/// The children of a pair, without comments (collected separately).
fn children(pair: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    pair.into_inner().filter(|p| p.as_rule() != Rule::COMMENT)
}

impl Visitor {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start(), s.end())
    }

    pub fn visit_file(&mut self, mut pairs: Pairs<'_, Rule>) -> File {
        let file_pair = pairs.next().expect("grammar: file");
        let comments = file_pair
            .clone()
            .into_inner()
            .flatten()
            .filter(|p| p.as_rule() == Rule::COMMENT)
            .map(|p| Comment {
                text: p.as_str().trim_end().to_string(),
                span: self.span(&p),
            })
            .collect();
        let mut items = Vec::new();
        for p in children(file_pair) {
            match p.as_rule() {
                Rule::import => items.push(Item::Import(self.visit_import(p))),
                Rule::block => items.push(Item::Block(self.visit_block(p))),
                Rule::EOI => {}
                r => unreachable!("grammar: file item {r:?}"),
            }
        }
        File {
            file: self.file,
            items,
            comments,
        }
    }

    fn visit_import(&mut self, pair: Pair<'_, Rule>) -> Import {
        let span = self.span(&pair);
        let s = children(pair)
            .find(|p| p.as_rule() == Rule::string)
            .expect("grammar: import string");
        Import {
            path: self.visit_static_string(s),
            span,
        }
    }

    fn visit_block(&mut self, pair: Pair<'_, Rule>) -> Block {
        let span = self.span(&pair);
        let mut kind = None;
        let mut labels = Vec::new();
        let mut body = Vec::new();
        let mut body_span = span;
        for p in children(pair) {
            match p.as_rule() {
                Rule::block_type => {
                    kind = Some(Ident {
                        name: p.as_str().into(),
                        span: self.span(&p),
                    })
                }
                Rule::label => {
                    let s = children(p).next().expect("grammar: label string");
                    labels.push(self.visit_static_string(s));
                }
                Rule::block_body => {
                    body_span = self.span(&p);
                    body = self.visit_block_body(p);
                }
                r => unreachable!("grammar: block part {r:?}"),
            }
        }
        Block {
            kind: kind.expect("grammar: block type"),
            labels: labels.into_boxed_slice(),
            body,
            span,
            body_span,
        }
    }

    fn visit_block_body(&mut self, pair: Pair<'_, Rule>) -> Vec<BodyItem> {
        children(pair)
            .map(|p| match p.as_rule() {
                Rule::attribute => BodyItem::Attribute(self.visit_attribute(p)),
                Rule::block => BodyItem::Block(self.visit_block(p)),
                r => unreachable!("grammar: body item {r:?}"),
            })
            .collect()
    }

    fn visit_attribute(&mut self, pair: Pair<'_, Rule>) -> Attribute {
        let span = self.span(&pair);
        let mut it = children(pair);
        let name = it.next().expect("grammar: attribute name");
        let name = Ident {
            name: name.as_str().into(),
            span: self.span(&name),
        };
        let value = self.visit_expr(it.next().expect("grammar: attribute value"));
        Attribute { name, value, span }
    }

    pub fn visit_expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::string => ExprKind::String(self.visit_string_parts(pair)),
            Rule::heredoc => self.visit_heredoc(pair),
            Rule::list => ExprKind::List(children(pair).map(|p| self.visit_expr(p)).collect()),
            Rule::object => {
                ExprKind::Object(children(pair).map(|p| self.visit_object_item(p)).collect())
            }
            Rule::call => self.visit_call(pair),
            Rule::boolean => ExprKind::Bool(pair.as_str() == "true"),
            Rule::dotted => ExprKind::Name(pair.as_str().into()),
            Rule::typed_literal => {
                let (kind, diags) = literal::classify(pair.as_str(), span);
                self.diagnostics.extend(diags);
                kind
            }
            r => unreachable!("grammar: expression {r:?}"),
        };
        Expr { kind, span }
    }

    fn visit_call(&mut self, pair: Pair<'_, Rule>) -> ExprKind {
        let mut it = children(pair);
        let n = it.next().expect("grammar: function name");
        let name = Ident {
            name: n.as_str().into(),
            span: self.span(&n),
        };
        ExprKind::Call(Box::new(Call {
            name,
            args: it.map(|p| self.visit_expr(p)).collect(),
        }))
    }

    fn visit_object_item(&mut self, pair: Pair<'_, Rule>) -> ObjectItem {
        let mut it = children(pair);
        let key_pair = children(it.next().expect("grammar: object key"))
            .next()
            .expect("grammar: key");
        let key = match key_pair.as_rule() {
            Rule::string => self.visit_static_string(key_pair),
            _ => Str {
                value: key_pair.as_str().into(),
                span: self.span(&key_pair),
            },
        };
        let value = self.visit_expr(it.next().expect("grammar: object value"));
        ObjectItem { key, value }
    }

    fn visit_heredoc(&mut self, pair: Pair<'_, Rule>) -> ExprKind {
        let mut indent = false;
        let mut body = String::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::heredoc_indent => indent = true,
                Rule::heredoc_body => body = p.as_str().to_string(),
                _ => {}
            }
        }
        if indent {
            body = strip_common_indent(&body);
        }
        ExprKind::Heredoc { indent, body }
    }

    fn visit_string_parts(&mut self, pair: Pair<'_, Rule>) -> Vec<StrPart> {
        let mut parts: Vec<StrPart> = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::string_text => push_text(&mut parts, p.as_str()),
                Rule::escape => {
                    let span = self.span(&p);
                    match unescape(p.as_str()) {
                        Some(c) => push_text(&mut parts, c),
                        None => self.diagnostics.push(unknown_escape(span, p.as_str())),
                    }
                }
                Rule::interpolation => {
                    let inner = children(p).next().expect("grammar: interpolation expr");
                    parts.push(StrPart::Interp(self.visit_expr(inner)));
                }
                r => unreachable!("grammar: string part {r:?}"),
            }
        }
        parts
    }

    /// A string that must be a plain value (labels, import paths): an
    /// interpolation there is reported and dropped.
    fn visit_static_string(&mut self, pair: Pair<'_, Rule>) -> Str {
        let span = self.span(&pair);
        let parts = self.visit_string_parts(pair);
        let mut value = compact_str::CompactString::default();
        for p in parts {
            match p {
                StrPart::Text(t) => value.push_str(&t),
                StrPart::Interp(e) => self.diagnostics.push(interpolation_not_allowed(e.span)),
            }
        }
        Str { value, span }
    }
}

/// E0101 for an escape such as `\q`: reported, and the string still parses.
pub(super) fn unknown_escape(span: Span, escape: &str) -> Diagnostic {
    Diagnostic::new(&codes::SYNTAX, span, format!("unknown escape `{escape}`"))
        .label("not an escape")
        .help("the escapes are \\n \\t \\r \\\" \\\\ and \\$")
}

/// E0204 for `${…}` in a label, an import path or an object key.
pub(super) fn interpolation_not_allowed(span: Span) -> Diagnostic {
    Diagnostic::new(
        &codes::TYPE_MISMATCH,
        span,
        "interpolation is not allowed here",
    )
    .label("labels and import paths are plain strings")
    .help("write the value out")
}

/// Appends text to the last text part, so escapes and text runs make one part.
pub(super) fn push_text(parts: &mut Vec<StrPart>, s: &str) {
    if let Some(StrPart::Text(t)) = parts.last_mut() {
        t.push_str(s);
    } else {
        parts.push(StrPart::Text(s.into()));
    }
}

pub(super) fn unescape(esc: &str) -> Option<&'static str> {
    Some(match esc {
        "\\n" => "\n",
        "\\t" => "\t",
        "\\r" => "\r",
        "\\\"" => "\"",
        "\\\\" => "\\",
        "\\$" => "$",
        _ => return None,
    })
}

/// `<<-EOT` heredocs drop the indentation common to all non-blank lines.
pub(super) fn strip_common_indent(body: &str) -> String {
    let indent = body
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    body.split_inclusive('\n')
        .map(|l| l.get(indent..).unwrap_or(l.trim_start_matches([' ', '\t'])))
        .collect()
}
