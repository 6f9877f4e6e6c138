//! Values → typed IR fields. Each target type says which values it accepts;
//! a wrong kind is E0204, an unknown symbol or reference E0202.

use super::eval::{Sv, Value};
use super::Cx;
use crate::diag::{codes, did_you_mean, Diagnostic};
use crate::ir::value::{Cidr, Duration, IpRange, Mac, Size};
use crate::ir::*;
use crate::span::{Span, Spanned};
use crate::syntax::ast::Literal;
use std::net::IpAddr;

/// Why a value did not convert.
pub enum Fail {
    /// E0204: expected this, found the value's kind.
    Expected(&'static str),
    /// E0202: unknown word, what it is, and the candidates.
    Unknown {
        what: &'static str,
        word: String,
        candidates: Vec<String>,
    },
    /// Already reported.
    Silent,
}

pub trait FromValue: Sized {
    const EXPECTED: &'static str;
    fn from_value(v: &Sv, cx: &Cx) -> Result<Self, Fail>;
}

impl Cx<'_> {
    /// Convert, reporting failures; `None` when reported.
    pub fn convert<T: FromValue>(&mut self, v: &Sv) -> Option<Spanned<T>> {
        if matches!(v.value, Value::Invalid) {
            return None;
        }
        match T::from_value(v, self) {
            Ok(t) => Some(Spanned::new(t, v.span)),
            Err(f) => {
                self.report_fail(f, v);
                None
            }
        }
    }

    pub fn report_fail(&mut self, f: Fail, v: &Sv) {
        let d = match f {
            Fail::Silent => return,
            Fail::Expected(what) => mismatch(what, v),
            Fail::Unknown {
                what,
                word,
                candidates,
            } => unknown(what, &word, &candidates, v.span),
        };
        self.push(d);
    }
}

pub fn mismatch(expected: &str, v: &Sv) -> Diagnostic {
    let mut d = Diagnostic::new(
        &codes::TYPE_MISMATCH,
        v.span,
        format!("expected {expected}, found {}", v.value.kind_name()),
    )
    .label(format!("expected {expected}"));
    if let (Value::Str(s), true) = (
        &v.value,
        expected.starts_with("a ") || expected.starts_with("an "),
    ) {
        if !s.contains(' ') && !expected.contains("string") {
            d = d.help(format!("typed values are written without quotes: `{s}`"));
        }
    }
    d
}

pub fn unknown(what: &str, word: &str, candidates: &[String], span: Span) -> Diagnostic {
    let mut d = Diagnostic::new(
        &codes::UNKNOWN_NAME,
        span,
        format!("unknown {what} `{word}`"),
    )
    .label(format!("not a known {what}"));
    match did_you_mean(word, candidates.iter().map(String::as_str)) {
        Some(h) => d = d.help(h),
        None if !candidates.is_empty() && candidates.len() <= 12 => {
            d = d.note(format!("expected one of: {}", candidates.join(", ")));
        }
        None => {}
    }
    d
}

macro_rules! from_literal {
    ($t:ty, $variant:ident, $expected:literal) => {
        impl FromValue for $t {
            const EXPECTED: &'static str = $expected;
            fn from_value(v: &Sv, _: &Cx) -> Result<Self, Fail> {
                match &v.value {
                    Value::Lit(Literal::$variant(x)) => Ok(*x),
                    _ => Err(Fail::Expected(Self::EXPECTED)),
                }
            }
        }
    };
}
from_literal!(IpAddr, Ip, "an IP address");
from_literal!(Cidr, Cidr, "a CIDR (`10.0.0.0/24`)");
from_literal!(IpRange, Range, "an IP range (`10.0.0.100-10.0.0.150`)");
from_literal!(Size, Size, "a size (`8GiB`)");
from_literal!(Duration, Duration, "a duration (`2h`)");
from_literal!(Mac, Mac, "a MAC address");

impl FromValue for String {
    const EXPECTED: &'static str = "a string";
    fn from_value(v: &Sv, _: &Cx) -> Result<Self, Fail> {
        match &v.value {
            Value::Str(s) => Ok(s.clone()),
            _ => Err(Fail::Expected(Self::EXPECTED)),
        }
    }
}

impl FromValue for u64 {
    const EXPECTED: &'static str = "an integer";
    fn from_value(v: &Sv, _: &Cx) -> Result<Self, Fail> {
        match &v.value {
            Value::Int(n) => Ok(*n),
            _ => Err(Fail::Expected(Self::EXPECTED)),
        }
    }
}

impl FromValue for bool {
    const EXPECTED: &'static str = "`true` or `false`";
    fn from_value(v: &Sv, _: &Cx) -> Result<Self, Fail> {
        match &v.value {
            Value::Bool(b) => Ok(*b),
            _ => Err(Fail::Expected(Self::EXPECTED)),
        }
    }
}

impl FromValue for Credential {
    const EXPECTED: &'static str = "a string or `secret(\"NAME\")`";
    fn from_value(v: &Sv, _: &Cx) -> Result<Self, Fail> {
        match &v.value {
            Value::Str(s) => Ok(Credential::Plain(s.clone())),
            Value::Secret(s) => Ok(Credential::Secret(s.clone())),
            _ => Err(Fail::Expected(Self::EXPECTED)),
        }
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    const EXPECTED: &'static str = "a list";
    fn from_value(v: &Sv, cx: &Cx) -> Result<Self, Fail> {
        let Value::List(items) = &v.value else {
            return Err(Fail::Expected(Self::EXPECTED));
        };
        // Items are reported one by one by `Cx::list`; here any failure fails.
        items.iter().map(|i| T::from_value(i, cx)).collect()
    }
}

macro_rules! from_symbol {
    ($($t:ty => $what:literal),*) => {$(
        impl FromValue for $t {
            const EXPECTED: &'static str = concat!("a ", $what);
            fn from_value(v: &Sv, _: &Cx) -> Result<Self, Fail> {
                match &v.value {
                    Value::Name(w) => <$t>::from_word(w).ok_or_else(|| Fail::Unknown {
                        what: $what,
                        word: w.to_string(),
                        candidates: <$t>::WORDS.iter().map(|s| s.to_string()).collect(),
                    }),
                    _ => Err(Fail::Expected(concat!("a ", $what, " (a bare word)"))),
                }
            }
        }
    )*};
}
from_symbol!(
    Arch => "architecture", Role => "role", Family => "package family", Distribution => "distribution",
    Runtime => "container runtime", Cni => "CNI", StorageBackend => "storage backend", ZfsLayout => "zfs layout",
    TunnelKind => "tunnel kind", StateBackend => "state backend", DatastoreContent => "datastore content type"
);

/// The names a reference may resolve to: a sorted map, or the hashed table
/// of nodes (one entry per node of a fleet, so looked up without ordering).
pub trait NameTable<T> {
    fn lookup(&self, name: &str) -> Option<&T>;
    /// Every name in sorted order, as candidates for "did you mean".
    fn sorted_names(&self) -> Vec<&str>;
}

impl<T> NameTable<T> for std::collections::BTreeMap<String, T> {
    fn lookup(&self, name: &str) -> Option<&T> {
        self.get(name)
    }
    fn sorted_names(&self) -> Vec<&str> {
        self.keys().map(String::as_str).collect()
    }
}

impl<T> NameTable<T> for super::NodeNames<T> {
    fn lookup(&self, name: &str) -> Option<&T> {
        self.get(name)
    }
    fn sorted_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.keys().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names
    }
}

/// A reference `KIND.NAME`: NAME and what `names` holds for it, found in
/// one look-up (candidates for "did you mean" are only built on failure).
fn reference<'v, 'n, T>(
    v: &'v Sv,
    kind: &'static str,
    names: &'n impl NameTable<T>,
) -> Result<(&'v str, &'n T), Fail> {
    let Value::Name(n) = &v.value else {
        return Err(Fail::Expected(reference_expected(kind)));
    };
    let Some(name) = n.strip_prefix(kind).and_then(|r| r.strip_prefix('.')) else {
        return Err(Fail::Expected(reference_expected(kind)));
    };
    match names.lookup(name) {
        Some(found) => Ok((name, found)),
        None => Err(Fail::Unknown {
            what: kind,
            word: n.to_string(),
            candidates: prefixed(kind, names.sorted_names()),
        }),
    }
}

fn reference_expected(kind: &str) -> &'static str {
    match kind {
        "network" => "a network reference (`network.NAME`)",
        "hypervisor" => "a hypervisor reference (`hypervisor.NAME`)",
        "node" => "a node reference (`node.NAME`)",
        _ => "an addon reference (`addon.NAME`)",
    }
}

fn prefixed(kind: &str, names: Vec<&str>) -> Vec<String> {
    names.into_iter().map(|n| format!("{kind}.{n}")).collect()
}

impl FromValue for NetworkId {
    const EXPECTED: &'static str = "a network reference (`network.NAME`)";
    fn from_value(v: &Sv, cx: &Cx) -> Result<Self, Fail> {
        reference(v, "network", &cx.names.networks).map(|(_, id)| *id)
    }
}

impl FromValue for HypervisorId {
    const EXPECTED: &'static str = "a hypervisor reference (`hypervisor.NAME`)";
    fn from_value(v: &Sv, cx: &Cx) -> Result<Self, Fail> {
        reference(v, "hypervisor", &cx.names.hypervisors).map(|(_, id)| *id)
    }
}

/// `node.NAME`: a whole counted group or one expanded node.
pub struct NodeRef(pub Vec<NodeId>);

impl FromValue for NodeRef {
    const EXPECTED: &'static str = "a node reference (`node.NAME`)";
    fn from_value(v: &Sv, cx: &Cx) -> Result<Self, Fail> {
        if !cx.names.nodes_known {
            return Err(Fail::Expected("a value that does not refer to nodes"));
        }
        let (_, ids) = reference(v, "node", &cx.names.nodes)?;
        Ok(NodeRef(ids.to_vec()))
    }
}

/// `addon.NAME`: an addon or chart of the catalog (enabled or not).
pub struct AddonRef(pub String);

impl FromValue for AddonRef {
    const EXPECTED: &'static str = "an addon reference (`addon.NAME`)";
    fn from_value(v: &Sv, cx: &Cx) -> Result<Self, Fail> {
        let (name, _) = reference(v, "addon", &cx.names.charts)?;
        Ok(AddonRef(name.to_string()))
    }
}

/// An OS image by name: `ubuntu-24.04` (a bare symbol) or `image.NAME`.
impl FromValue for ImageId {
    const EXPECTED: &'static str = "an image name (`ubuntu-24.04`)";
    fn from_value(v: &Sv, cx: &Cx) -> Result<Self, Fail> {
        let word = match &v.value {
            Value::Name(n) => n.strip_prefix("image.").unwrap_or(n),
            Value::Str(s) => s.as_str(),
            _ => return Err(Fail::Expected(Self::EXPECTED)),
        };
        cx.names
            .images
            .get(word)
            .copied()
            .ok_or_else(|| Fail::Unknown {
                what: "image",
                word: word.to_string(),
                candidates: cx.names.images.keys().cloned().collect(),
            })
    }
}
