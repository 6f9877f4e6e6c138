//! `profile "NAME" { … }` overlays, applied to the AST when `--profile NAME`
//! selects one: each overlay block is matched to the stack's blocks by type
//! and label (`*` is a glob) and its attributes replace theirs.

use super::Cx;
use crate::diag::{codes, did_you_mean, Diagnostic};
use crate::span::Span;
use crate::syntax::ast::{Block, BodyItem, File, Item};

pub fn apply(files: &mut [File], profile: Option<&str>, cx: &mut Cx) {
    let Some(name) = profile else { return };
    let profiles: Vec<Block> = files
        .iter()
        .flat_map(|f| &f.items)
        .filter_map(|i| match i {
            Item::Block(b) if b.kind.name == "profile" => Some(b.clone()),
            _ => None,
        })
        .collect();
    let Some(selected) = profiles
        .iter()
        .find(|p| p.label().is_some_and(|l| l.value == name))
    else {
        unknown_profile(name, &profiles, files, cx);
        return;
    };
    for overlay in selected.blocks() {
        apply_overlay(files, overlay);
    }
}

fn unknown_profile(name: &str, profiles: &[Block], files: &[File], cx: &mut Cx) {
    let names: Vec<&str> = profiles
        .iter()
        .filter_map(|p| p.label())
        .map(|l| l.value.as_str())
        .collect();
    let span = files
        .first()
        .map_or_else(Span::default, |f| Span::new(f.file, 0, 0));
    let mut d = Diagnostic::new(
        &codes::UNKNOWN_NAME,
        span,
        format!("unknown profile `{name}` (from --profile)"),
    )
    .label("this stack has no such profile");
    d = match did_you_mean(name, names.iter().copied()) {
        Some(h) => d.help(h),
        None if names.is_empty() => d.help("this stack defines no `profile` blocks"),
        None => d.note(format!("the profiles are {}", names.join(", "))),
    };
    cx.push(d);
}

fn apply_overlay(files: &mut [File], overlay: &Block) {
    let mut matched = false;
    for f in files.iter_mut() {
        for item in &mut f.items {
            if let Item::Block(target) = item {
                if target.kind.name != "profile" && matches(overlay, target) {
                    merge(target, overlay);
                    matched = true;
                }
            }
        }
    }
    // A profile may add a block the stack does not have (not a glob).
    let is_glob = overlay.labels.iter().any(|l| l.value.contains('*'));
    if !matched && !is_glob {
        if let Some(f) = files.first_mut() {
            f.items.push(Item::Block(overlay.clone()));
        }
    }
}

fn matches(overlay: &Block, target: &Block) -> bool {
    overlay.kind.name == target.kind.name
        && overlay.labels.len() == target.labels.len()
        && overlay
            .labels
            .iter()
            .zip(&target.labels)
            .all(|(o, t)| glob(&o.value, &t.value))
}

fn merge(target: &mut Block, overlay: &Block) {
    for item in &overlay.body {
        match item {
            BodyItem::Attribute(a) => {
                let existing = target
                    .body
                    .iter_mut()
                    .find(|i| matches!(i, BodyItem::Attribute(t) if t.name.name == a.name.name));
                match existing {
                    Some(slot) => *slot = BodyItem::Attribute(a.clone()),
                    None => target.body.push(BodyItem::Attribute(a.clone())),
                }
            }
            BodyItem::Block(b) => {
                let mut found = false;
                for t in &mut target.body {
                    if let BodyItem::Block(tb) = t {
                        if matches(b, tb) {
                            merge(tb, b);
                            found = true;
                        }
                    }
                }
                if !found {
                    target.body.push(BodyItem::Block(b.clone()));
                }
            }
        }
    }
}

/// `*` matches any run of characters; everything else literally.
pub fn glob(pattern: &str, text: &str) -> bool {
    let Some((head, rest)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let Some(mut remaining) = text.strip_prefix(head) else {
        return false;
    };
    let parts: Vec<&str> = rest.split('*').collect();
    for (i, part) in parts.iter().enumerate() {
        if i == parts.len() - 1 {
            return remaining.ends_with(part);
        }
        match remaining.find(part) {
            Some(p) => remaining = &remaining[p + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("*", "master"));
        assert!(glob("w*", "worker"));
        assert!(glob("*-arm", "pi-arm"));
        assert!(!glob("w*", "master"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
    }
}
