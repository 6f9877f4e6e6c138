//! The syntax tree: exactly what was written, every node spanned. Leaf
//! tokens keep their source text so `fmt` can print them verbatim.
//!
//! A fleet's whole tree is alive while it is lowered (the build's peak
//! memory), so the tree is kept small: names and short strings are
//! `CompactString`s (inline up to 24 bytes, no allocation), labels a boxed
//! slice, and the rare large expression (a call) is boxed.

use crate::ir::value::{Cidr, Duration, IpRange, Mac, Size};
use crate::span::{FileId, Span};
use compact_str::CompactString;
use serde::Serialize;
use std::net::IpAddr;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct File {
    #[serde(skip)]
    pub file: FileId,
    pub items: Vec<Item>,
    #[serde(skip)]
    pub comments: Vec<Comment>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Item {
    Import(Import),
    Block(Block),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Import(i) => i.span,
            Item::Block(b) => b.span,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Import {
    pub path: Str,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ident {
    pub name: CompactString,
    #[serde(skip)]
    pub span: Span,
}

/// A string whose value is known without evaluation (labels, import paths).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Str {
    pub value: CompactString,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    pub kind: Ident,
    pub labels: Box<[Str]>,
    pub body: Vec<BodyItem>,
    #[serde(skip)]
    pub span: Span,
    /// From `{` to `}` inclusive.
    #[serde(skip)]
    pub body_span: Span,
}

impl Block {
    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.body.iter().filter_map(|i| match i {
            BodyItem::Attribute(a) => Some(a),
            BodyItem::Block(_) => None,
        })
    }

    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.body.iter().filter_map(|i| match i {
            BodyItem::Block(b) => Some(b),
            BodyItem::Attribute(_) => None,
        })
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes().find(|a| a.name.name == name)
    }

    pub fn label(&self) -> Option<&Str> {
        self.labels.first()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum BodyItem {
    Attribute(Attribute),
    Block(Block),
}

impl BodyItem {
    pub fn span(&self) -> Span {
        match self {
            BodyItem::Attribute(a) => a.span,
            BodyItem::Block(b) => b.span,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attribute {
    pub name: Ident,
    pub value: Expr,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ExprKind {
    /// A quoted string: text pieces and `${…}` interpolations.
    String(Vec<StrPart>),
    Heredoc {
        indent: bool,
        body: String,
    },
    Int(u64),
    Bool(bool),
    Literal(Literal),
    List(Vec<Expr>),
    Object(Vec<ObjectItem>),
    /// A dotted name: a reference (`network.k8s`) or a symbol (`amd64`).
    Name(CompactString),
    Call(Box<Call>),
    /// A malformed typed literal, already reported (E0102).
    Invalid,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum StrPart {
    Text(CompactString),
    Interp(Expr),
}

/// `name(args…)`, boxed in [`ExprKind`]: calls are rare and would make
/// every expression as large as themselves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Call {
    pub name: Ident,
    pub args: Vec<Expr>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectItem {
    pub key: Str,
    pub value: Expr,
}

/// A typed literal, already validated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Literal {
    Ip(IpAddr),
    Cidr(Cidr),
    Range(IpRange),
    Size(Size),
    Duration(Duration),
    Mac(Mac),
}

impl ExprKind {
    /// The plain value of a string without interpolation.
    pub fn as_plain_string(&self) -> Option<String> {
        match self {
            ExprKind::String(parts) => parts.iter().try_fold(String::new(), |mut acc, p| match p {
                StrPart::Text(t) => {
                    acc.push_str(t);
                    Some(acc)
                }
                StrPart::Interp(_) => None,
            }),
            ExprKind::Heredoc { body, .. } => Some(body.clone()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fleet's tree is dominated by these; keep them from growing back.
    #[test]
    fn node_sizes() {
        use std::mem::size_of;
        assert!(size_of::<Expr>() <= 56, "Expr: {}", size_of::<Expr>());
        assert!(
            size_of::<BodyItem>() <= 112,
            "BodyItem: {}",
            size_of::<BodyItem>()
        );
        assert!(size_of::<Block>() <= 112, "Block: {}", size_of::<Block>());
    }
}
