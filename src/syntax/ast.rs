//! The syntax tree: exactly what was written, every node spanned. Leaf
//! tokens keep their source text so `fmt` can print them verbatim.

use crate::ir::value::{Cidr, Duration, IpRange, Mac, Size};
use crate::span::{FileId, Span};
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
    pub name: String,
    #[serde(skip)]
    pub span: Span,
}

/// A string whose value is known without evaluation (labels, import paths).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Str {
    pub value: String,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    pub kind: Ident,
    pub labels: Vec<Str>,
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
    Name(String),
    Call {
        name: Ident,
        args: Vec<Expr>,
    },
    /// A malformed typed literal, already reported (E0102).
    Invalid,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum StrPart {
    Text(String),
    Interp(Expr),
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
