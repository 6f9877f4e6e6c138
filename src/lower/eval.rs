//! Expressions → values. Evaluation knows nothing of the expected type:
//! a bare name stays a name until a typed getter (`convert.rs`) decides
//! whether it is a symbol or a reference.

use super::{functions, Cx};
use crate::diag::{codes, did_you_mean, Diagnostic};
use crate::ir::value::Cidr;
use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind, Literal, StrPart};
use compact_str::CompactString;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Value {
    Str(String),
    /// `secret("NAME")`: only the name is ever known.
    Secret(String),
    Int(u64),
    Bool(bool),
    Lit(Literal),
    List(Vec<Sv>),
    Object(Vec<(String, Sv)>),
    /// A dotted name, not yet known to be a symbol or a reference. Inline
    /// when short, so evaluating a fleet's references allocates nothing.
    Name(CompactString),
    /// Already reported; converts to nothing without a second diagnostic.
    Invalid,
}

/// A spanned value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sv {
    pub value: Value,
    #[serde(skip)]
    pub span: Span,
}

impl Value {
    /// What users call this kind of value in "expected X, found Y".
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Secret(_) => "a secret",
            Value::Int(_) => "an integer",
            Value::Bool(_) => "a boolean",
            Value::Lit(Literal::Ip(_)) => "an IP address",
            Value::Lit(Literal::Cidr(_)) => "a CIDR",
            Value::Lit(Literal::Range(_)) => "an IP range",
            Value::Lit(Literal::Size(_)) => "a size",
            Value::Lit(Literal::Duration(_)) => "a duration",
            Value::Lit(Literal::Mac(_)) => "a MAC address",
            Value::List(_) => "a list",
            Value::Object(_) => "an object",
            Value::Name(_) => "a name",
            Value::Invalid => "an invalid value",
        }
    }
}

pub fn eval(expr: &Expr, cx: &mut Cx) -> Sv {
    let value = match &expr.kind {
        ExprKind::String(parts) => eval_string(parts, cx),
        ExprKind::Heredoc { body, .. } => Value::Str(body.clone()),
        ExprKind::Int(n) => Value::Int(*n),
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Literal(l) => Value::Lit(*l),
        ExprKind::List(items) => Value::List(items.iter().map(|e| eval(e, cx)).collect()),
        ExprKind::Object(items) => Value::Object(
            items
                .iter()
                .map(|i| (String::from(i.key.value.as_str()), eval(&i.value, cx)))
                .collect(),
        ),
        ExprKind::Name(n) => eval_name(n, expr.span, cx),
        ExprKind::Call(call) => {
            let args: Vec<Sv> = call.args.iter().map(|e| eval(e, cx)).collect();
            functions::call(&call.name.name, call.name.span, expr.span, args, cx)
        }
        ExprKind::Invalid => Value::Invalid,
    };
    Sv {
        value,
        span: expr.span,
    }
}

/// `network.k8s.cidr` and `network.k8s.gateway` are values; every other
/// name is left for the typed getter.
fn eval_name(name: &CompactString, span: Span, cx: &mut Cx) -> Value {
    // This runs for every reference in a fleet: most are not `network.…`
    // at all, and the rest are split without collecting.
    let Some(rest) = name.strip_prefix("network.") else {
        return Value::Name(name.clone());
    };
    let mut parts = rest.split('.');
    let (Some(net), Some(attr), None) = (parts.next(), parts.next(), parts.next()) else {
        return Value::Name(name.clone());
    };
    let Some(&(cidr, gateway)) = cx.names.network_info.get(net) else {
        return Value::Name(name.clone());
    };
    match attr {
        "cidr" => Value::Lit(Literal::Cidr(cidr)),
        "gateway" => match gateway {
            Some(g) => Value::Lit(Literal::Ip(g)),
            None => {
                cx.push(
                    Diagnostic::new(
                        &codes::MISSING_ATTRIBUTE,
                        span,
                        format!("network `{net}` has no gateway"),
                    )
                    .label("this network sets no `gateway`"),
                );
                Value::Invalid
            }
        },
        other => {
            let mut d = Diagnostic::new(
                &codes::UNKNOWN_NAME,
                span,
                format!("a network has no attribute `{other}` to refer to"),
            )
            .label("unknown attribute");
            if let Some(h) = did_you_mean(other, ["cidr", "gateway"]) {
                d = d.help(h);
            }
            cx.push(d);
            Value::Invalid
        }
    }
}

fn eval_string(parts: &[StrPart], cx: &mut Cx) -> Value {
    let mut out = String::new();
    for p in parts {
        match p {
            StrPart::Text(t) => out.push_str(t),
            StrPart::Interp(e) => match interpolate(e, cx) {
                Some(s) => out.push_str(&s),
                None => return Value::Invalid,
            },
        }
    }
    Value::Str(out)
}

fn interpolate(e: &Expr, cx: &mut Cx) -> Option<String> {
    if let ExprKind::Name(n) = &e.kind {
        if n == "n" {
            return match cx.index {
                Some(i) => Some(i.to_string()),
                None => {
                    cx.push(
                        Diagnostic::new(
                            &codes::UNKNOWN_NAME,
                            e.span,
                            "`n` is only defined in a counted node",
                        )
                        .label("no count here")
                        .help("`${n}` is the 1-based index of a node expanded by `count`"),
                    );
                    None
                }
            };
        }
    }
    let v = eval(e, cx);
    match v.value {
        Value::Str(s) => Some(s),
        Value::Int(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Lit(l) => Some(literal_text(&l)),
        Value::Invalid => None,
        Value::Secret(_) => {
            cx.push(
                Diagnostic::new(
                    &codes::TYPE_MISMATCH,
                    v.span,
                    "a secret cannot be interpolated into a string",
                )
                .label("its value is only known at apply time")
                .help("pass the secret as the whole attribute value"),
            );
            None
        }
        other => {
            cx.push(
                Diagnostic::new(
                    &codes::TYPE_MISMATCH,
                    v.span,
                    format!("{} cannot be interpolated into a string", other.kind_name()),
                )
                .label("not a text value"),
            );
            None
        }
    }
}

pub fn literal_text(l: &Literal) -> String {
    match l {
        Literal::Ip(ip) => ip.to_string(),
        Literal::Cidr(c) => c.to_string(),
        Literal::Range(r) => r.to_string(),
        Literal::Size(s) => s.to_string(),
        Literal::Duration(d) => d.to_string(),
        Literal::Mac(m) => m.to_string(),
    }
}

/// The CIDR a value denotes: a CIDR literal or a network reference.
pub fn as_cidr(v: &Sv, cx: &Cx) -> Option<Cidr> {
    match &v.value {
        Value::Lit(Literal::Cidr(c)) => Some(*c),
        Value::Name(n) => n
            .strip_prefix("network.")
            .and_then(|net| cx.names.network_info.get(net))
            .map(|i| i.0),
        _ => None,
    }
}
