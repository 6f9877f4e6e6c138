//! The top-level blocks of all files, sorted by type, with unknown types
//! (E0202) and duplicate names (E0201) reported once here.

use super::reader::{block_title, header_span};
use super::Cx;
use crate::diag::{codes, did_you_mean, Diagnostic};
use crate::syntax::ast::{Block, File, Item};
use rustc_hash::FxHashMap as HashMap;

/// Block types allowed at the top level, and whether each takes a label.
pub const KINDS: &[(&str, bool)] = &[
    ("site", true),
    ("hypervisor", true),
    ("network", true),
    ("image", true),
    ("node", true),
    ("kubernetes", false),
    ("addon", true),
    ("chart", true),
    ("versions", true),
    ("storage", true),
    ("tunnel", true),
    ("service", true),
    ("hardening", false),
    ("profile", true),
    ("allow", true),
];

/// The stdlib may only define catalog entries.
const STDLIB_KINDS: &[&str] = &["image", "chart", "versions"];

#[derive(Default)]
pub struct TopLevel<'a> {
    /// User blocks by type, in source order; duplicates already removed.
    pub by_kind: HashMap<&'static str, Vec<&'a Block>>,
    /// Stdlib catalog blocks by type.
    pub stdlib: HashMap<&'static str, Vec<&'a Block>>,
}

impl<'a> TopLevel<'a> {
    pub fn user(&self, kind: &str) -> &[&'a Block] {
        self.by_kind.get(kind).map_or(&[], Vec::as_slice)
    }
    pub fn std(&self, kind: &str) -> &[&'a Block] {
        self.stdlib.get(kind).map_or(&[], Vec::as_slice)
    }
}

pub fn collect<'a>(files: &'a [File], stdlib: &'a [File], cx: &mut Cx) -> TopLevel<'a> {
    let mut top = TopLevel::default();
    // One entry per labelled block (a fleet's every node): sized up front
    // and hashed with Fx, as rehashing with SipHash was most of this pass.
    let mut seen: HashMap<(&str, &str), &Block> = HashMap::default();
    seen.reserve(files.iter().map(|f| f.items.len()).sum());
    for b in blocks(files) {
        let Some(&(kind, labelled)) = KINDS.iter().find(|(k, _)| *k == b.kind.name) else {
            unknown_kind(b, cx);
            continue;
        };
        if kind == "allow" {
            cx.allow(b, None);
            continue;
        }
        if !labels_ok(b, labelled, cx) {
            continue;
        }
        let key = (kind, b.labels.first().map_or("", |l| l.value.as_str()));
        if kind != "profile" {
            if let Some(first) = seen.get(&key) {
                duplicate(b, first, cx);
                continue;
            }
            seen.insert(key, b);
        }
        top.by_kind.entry(kind).or_default().push(b);
    }
    for b in blocks(stdlib) {
        if let Some(kind) = STDLIB_KINDS.iter().find(|k| **k == b.kind.name) {
            top.stdlib.entry(kind).or_default().push(b);
        }
    }
    top
}

fn blocks(files: &[File]) -> impl Iterator<Item = &Block> {
    files
        .iter()
        .flat_map(|f| f.items.iter())
        .filter_map(|i| match i {
            Item::Block(b) => Some(b),
            Item::Import(_) => None,
        })
}

fn unknown_kind(b: &Block, cx: &mut Cx) {
    let mut d = Diagnostic::new(
        &codes::UNKNOWN_NAME,
        b.kind.span,
        format!("unknown block type `{}`", b.kind.name),
    )
    .label("not a block type");
    match did_you_mean(&b.kind.name, KINDS.iter().map(|(k, _)| *k)) {
        Some(h) => d = d.help(h),
        None => {
            let all: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
            d = d.note(format!("the block types are {}", all.join(", ")));
        }
    }
    cx.push(d);
}

fn labels_ok(b: &Block, labelled: bool, cx: &mut Cx) -> bool {
    match (labelled, b.labels.len()) {
        (true, 1) | (false, 0) => true,
        (true, 0) => {
            cx.missing_label(b, "its name");
            false
        }
        (_, _) => {
            let extra = if labelled { &b.labels[1] } else { &b.labels[0] };
            let want = if labelled { "one label" } else { "no label" };
            cx.push(
                Diagnostic::new(
                    &codes::TYPE_MISMATCH,
                    extra.span,
                    format!("`{}` takes {want}", b.kind.name),
                )
                .label("unexpected label")
                .help("remove this label"),
            );
            false
        }
    }
}

fn duplicate(b: &Block, first: &Block, cx: &mut Cx) {
    cx.push(
        Diagnostic::new(
            &codes::DUPLICATE_NAME,
            header_span(b),
            format!("`{}` is defined twice", block_title(b)),
        )
        .label("defined again here")
        .with_secondary(header_span(first), "first defined here")
        .help("rename one of them, or merge the two blocks"),
    );
}
