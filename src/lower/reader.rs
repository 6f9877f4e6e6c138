//! Reading a block's body against what the lowering code asks of it: every
//! attribute or nested block asked for is "known"; whatever is left when the
//! reader finishes is unknown (E0202 with a suggestion), set twice (E0201),
//! or an `allow` (registered for the sink).

use super::eval::{eval, Sv, Value};
use super::{convert::FromValue, Cx};
use crate::diag::{codes, did_you_mean, Allow, Diagnostic};
use crate::span::{Span, Spanned};
use crate::syntax::ast::{Attribute, Block, BodyItem};
use smallvec::SmallVec;

/// A reader exists per block read (twice per node of a fleet), so its
/// bookkeeping lives inline: typical blocks fit, larger ones spill.
pub struct Reader<'a> {
    pub block: &'a Block,
    /// One entry per body item, read out of the tree once: a block is asked
    /// for a dozen names, each compared against every item.
    items: SmallVec<[Item<'a>; 8]>,
    known_attrs: SmallVec<[&'static str; 16]>,
    known_blocks: SmallVec<[&'static str; 4]>,
}

#[derive(Clone, Copy)]
struct Item<'a> {
    /// An attribute's name, or a block's type.
    name: &'a str,
    attribute: bool,
    /// Asked for, so not reported as unknown.
    used: bool,
}

impl<'a> Reader<'a> {
    pub fn new(block: &'a Block) -> Self {
        let mut items = SmallVec::with_capacity(block.body.len());
        for item in &block.body {
            let (name, attribute) = match item {
                BodyItem::Attribute(a) => (a.name.name.as_str(), true),
                BodyItem::Block(b) => (b.kind.name.as_str(), false),
            };
            items.push(Item {
                name,
                attribute,
                used: false,
            });
        }
        Reader {
            block,
            items,
            known_attrs: SmallVec::new(),
            known_blocks: SmallVec::new(),
        }
    }

    /// Whether the attribute `name` is written (without asking for it).
    pub fn has(&self, name: &str) -> bool {
        self.items.iter().any(|it| it.attribute && it.name == name)
    }

    /// The attribute `name`, if written (the first, when written twice).
    pub fn raw(&mut self, name: &'static str) -> Option<&'a Attribute> {
        self.known_attrs.push(name);
        let i = self
            .items
            .iter()
            .position(|it| it.attribute && it.name == name)?;
        self.items[i].used = true;
        match &self.block.body[i] {
            BodyItem::Attribute(a) => Some(a),
            BodyItem::Block(_) => None,
        }
    }

    pub fn blocks(&mut self, kind: &'static str) -> SmallVec<[&'a Block; 2]> {
        self.known_blocks.push(kind);
        let mut out = SmallVec::new();
        for (i, item) in self.block.body.iter().enumerate() {
            if let BodyItem::Block(b) = item {
                if self.items[i].name == kind {
                    self.items[i].used = true;
                    out.push(b);
                }
            }
        }
        out
    }

    /// `kind "label"` — where "missing attribute" diagnostics point.
    pub fn header(&self) -> Span {
        header_span(self.block)
    }
}

pub fn header_span(b: &Block) -> Span {
    b.labels
        .last()
        .map_or(b.kind.span, |l| b.kind.span.to(l.span))
}

/// How a block is named in messages: `node "master"`.
pub fn block_title(b: &Block) -> String {
    match b.labels.first() {
        Some(l) => format!("{} \"{}\"", b.kind.name, l.value),
        None => String::from(b.kind.name.as_str()),
    }
}

impl Cx<'_> {
    /// The evaluated attribute, if written.
    pub fn value(&mut self, r: &mut Reader, name: &'static str) -> Option<Sv> {
        let a = r.raw(name)?;
        let v = eval(&a.value, self);
        self.note_plain_credential(name, &v);
        Some(v)
    }

    /// Remember `token = "abc"` (not `secret(…)`) for E0901, here where the
    /// attribute's name is still known.
    pub fn note_plain_credential(&mut self, name: &str, v: &Sv) {
        let plain = match &v.value {
            Value::Str(s) => !s.is_empty(),
            Value::List(items) => items
                .iter()
                .any(|i| matches!(&i.value, Value::Str(s) if !s.is_empty())),
            _ => false,
        };
        if plain && crate::check::secrets::credential_name(name) {
            self.plain_credentials
                .push(Spanned::new(name.to_string(), v.span));
        }
    }

    pub fn opt<T: FromValue>(&mut self, r: &mut Reader, name: &'static str) -> Option<Spanned<T>> {
        let v = self.value(r, name)?;
        self.convert(&v)
    }

    /// A required attribute: E0203 at the block header when missing.
    pub fn req<T: FromValue>(&mut self, r: &mut Reader, name: &'static str) -> Option<Spanned<T>> {
        if !r.has(name) {
            r.raw(name);
            self.missing(r.block, name, T::EXPECTED);
            return None;
        }
        self.opt(r, name)
    }

    pub fn missing(&mut self, b: &Block, name: &str, expected: &str) {
        self.push(
            Diagnostic::new(
                &codes::MISSING_ATTRIBUTE,
                header_span(b),
                format!("`{}` needs `{name}`", block_title(b)),
            )
            .label(format!("`{name}` is required here"))
            .help(format!("add `{name} = …` ({expected}) to this block")),
        );
    }

    /// A list attribute, each item converted and reported on its own.
    pub fn list<T: FromValue>(
        &mut self,
        r: &mut Reader,
        name: &'static str,
    ) -> Option<Spanned<Vec<Spanned<T>>>> {
        let v = self.value(r, name)?;
        self.items(&v).map(|items| Spanned::new(items, v.span))
    }

    /// A list attribute that may also be written as one value.
    pub fn one_or_list<T: FromValue>(
        &mut self,
        r: &mut Reader,
        name: &'static str,
    ) -> Option<Spanned<Vec<Spanned<T>>>> {
        let v = self.value(r, name)?;
        if matches!(v.value, Value::List(_)) {
            return self.items(&v).map(|items| Spanned::new(items, v.span));
        }
        let one = self.convert::<T>(&v)?;
        Some(Spanned::new(vec![one], v.span))
    }

    pub fn items<T: FromValue>(&mut self, v: &Sv) -> Option<Vec<Spanned<T>>> {
        match &v.value {
            Value::List(items) => Some(items.iter().filter_map(|i| self.convert::<T>(i)).collect()),
            Value::Invalid => None,
            other => {
                self.push(
                    Diagnostic::new(
                        &codes::TYPE_MISMATCH,
                        v.span,
                        format!("expected a list, found {}", other.kind_name()),
                    )
                    .label(format!("expected `[…]`, each item {}", T::EXPECTED))
                    .help("wrap the value in brackets: `[value]`"),
                );
                None
            }
        }
    }

    /// Report everything the lowering code did not ask for.
    pub fn finish(&mut self, r: Reader) {
        let mut seen: SmallVec<[(&str, Span); 16]> = SmallVec::new();
        for (i, item) in r.block.body.iter().enumerate() {
            match item {
                BodyItem::Attribute(a) if r.items[i].used => seen.push((&a.name.name, a.name.span)),
                BodyItem::Attribute(a) => {
                    if let Some(&(_, first)) = seen.iter().find(|(n, _)| *n == a.name.name) {
                        self.push(
                            Diagnostic::new(
                                &codes::DUPLICATE_NAME,
                                a.name.span,
                                format!("`{}` is set twice", a.name.name),
                            )
                            .label("set again here")
                            .with_secondary(first, "first set here")
                            .help("remove one of them"),
                        );
                    } else {
                        let what = format!("attribute of `{}`", r.block.kind.name);
                        self.unknown_item(&a.name.name, a.name.span, &what, &r.known_attrs);
                    }
                }
                BodyItem::Block(_) if r.items[i].used => {}
                BodyItem::Block(b) if b.kind.name == "allow" => self.allow(b, Some(r.block.span)),
                BodyItem::Block(b) => {
                    let what = format!("block in `{}`", r.block.kind.name);
                    self.unknown_item(&b.kind.name, b.kind.span, &what, &r.known_blocks);
                }
            }
        }
    }

    fn unknown_item(&mut self, name: &str, span: Span, what: &str, known: &[&'static str]) {
        let mut d = Diagnostic::new(
            &codes::UNKNOWN_NAME,
            span,
            format!("unknown {what}: `{name}`"),
        )
        .label("not known here");
        match did_you_mean(name, known.iter().copied()) {
            Some(h) => d = d.help(h),
            None if !known.is_empty() => {
                let mut k: Vec<&str> = known.to_vec();
                k.sort_unstable();
                k.dedup();
                d = d.note(format!("expected one of: {}", k.join(", ")));
            }
            None => d = d.note("this block takes nothing but what it is given"),
        }
        self.push(d);
    }

    /// `allow "code-or-slug" { reason = "…" }`, scoped to `scope` (None: the whole stack).
    pub fn allow(&mut self, b: &Block, scope: Option<Span>) {
        let mut r = Reader::new(b);
        let reason = r.raw("reason");
        self.finish(r);
        let Some(label) = b.labels.first() else {
            self.missing_label(b, "the code or slug it allows, e.g. `allow \"etcd-even\"`");
            return;
        };
        match codes::lookup(&label.value) {
            Some(code) => {
                if reason.is_none() {
                    self.missing(b, "reason", "a string saying why the finding is accepted");
                }
                self.allows.push(Allow {
                    code,
                    scope,
                    span: b.span,
                });
            }
            None => {
                let candidates: Vec<String> = codes::ALL
                    .iter()
                    .flat_map(|c| [c.code.to_string(), c.slug.to_string()])
                    .collect();
                self.push(super::convert::unknown(
                    "diagnostic code",
                    &label.value,
                    &candidates,
                    label.span,
                ));
            }
        }
    }

    pub fn missing_label(&mut self, b: &Block, what: &str) {
        self.push(
            Diagnostic::new(
                &codes::MISSING_ATTRIBUTE,
                b.kind.span,
                format!("`{}` needs a label", b.kind.name),
            )
            .label("a quoted name goes here")
            .help(format!("write `{} \"…\" {{ … }}` with {what}", b.kind.name)),
        );
    }
}
