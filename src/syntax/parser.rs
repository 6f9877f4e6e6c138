//! The pest parser and the translation of pest errors into E0101 diagnostics
//! that say in words what was expected.

use crate::diag::{codes, Diagnostic};
use crate::span::{FileId, Span};
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pairs;
use pest::Parser;
use pest_derive::Parser;
use std::collections::BTreeSet;
use std::sync::{Mutex, PoisonError};

#[derive(Parser)]
#[grammar = "../grammar/stack.pest"]
pub struct StackParser;

/// Whether pest accepts `text` as a whole file.
pub fn accepts(text: &str) -> bool {
    StackParser::parse(Rule::file, text).is_ok()
}

/// Parse `text` into pest pairs, or one E0101 diagnostic.
///
/// `text` may stand for the file from byte `base` on (the fast parser hands
/// pest only the statement that failed and what follows it): the
/// diagnostic's positions are shifted by `base`, so they point into the
/// whole file.
pub fn parse_pairs(
    text: &str,
    base: usize,
    file: FileId,
) -> Result<Pairs<'_, Rule>, Box<Diagnostic>> {
    match StackParser::parse(Rule::file, text) {
        Ok(pairs) => Ok(pairs),
        Err(_) => {
            // Parse again with pest's detailed tracking on: it costs time, so
            // only inputs that failed pay for it. The switch is global and
            // read when a parse starts, so detailed parses take turns: one
            // thread switching it off must not catch another mid-way.
            static DETAIL: Mutex<()> = Mutex::new(());
            let _turn = DETAIL.lock().unwrap_or_else(PoisonError::into_inner);
            pest::set_error_detail(true);
            let err = match StackParser::parse(Rule::file, text) {
                Err(e) => e,
                Ok(p) => {
                    pest::set_error_detail(false);
                    return Ok(p);
                }
            };
            pest::set_error_detail(false);
            Err(Box::new(to_diagnostic(&err, text, base, file)))
        }
    }
}

/// The E0101 for a pest error on `text`, which stands for the file from
/// byte `base` on.
fn to_diagnostic(
    err: &pest::error::Error<Rule>,
    text: &str,
    base: usize,
    file: FileId,
) -> Diagnostic {
    let mut pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut expected: BTreeSet<String> = BTreeSet::new();
    if let ErrorVariant::ParsingError { positives, .. } = &err.variant {
        expected.extend(
            positives
                .iter()
                .filter_map(|r| describe(*r))
                .map(str::to_string),
        );
    }
    if let Some(attempts) = err.parse_attempts() {
        if attempts.max_position >= pos {
            if attempts.max_position > pos {
                expected.clear();
            }
            pos = attempts.max_position;
            // pest does not export the token type; its Debug form is stable
            // enough: `Sensitive { token: "=" }`.
            for t in attempts.expected_tokens() {
                let dbg = format!("{t:?}");
                if let Some(token) = dbg
                    .strip_prefix("Sensitive { token: ")
                    .and_then(|r| r.strip_suffix(" }"))
                {
                    let token: String = serde_json::from_str(token).unwrap_or_default();
                    if !noise(&token) {
                        expected.insert(format!("`{token}`"));
                    }
                }
            }
        }
    }
    if expected.contains("a value") {
        // Every way a value can start is "a value".
        for t in ["`:`", "`<<`", "`[`", "`false`", "`true`", "`{`", "a string"] {
            expected.remove(t);
        }
    }
    if expected.contains("a string") {
        expected.remove("`\"`");
    }
    let found = found_at(text, pos);
    let end = (pos + found.len().max(1)).min(text.len()).max(pos);
    let span = Span::new(file, base + pos, base + end);
    let list: Vec<String> = expected.into_iter().collect();
    let wanted = match list.len() {
        0 => "something else".to_string(),
        1 => list[0].clone(),
        n => format!("{} or {}", list[..n - 1].join(", "), list[n - 1]),
    };
    let found_text = if found.is_empty() {
        "the end of the file".to_string()
    } else {
        format!("`{found}`")
    };
    let mut d = Diagnostic::new(
        &codes::SYNTAX,
        span,
        format!("expected {wanted}, found {found_text}"),
    )
    .label(format!("expected {wanted} here"));
    if let Some(h) = hint(&list, &found) {
        d = d.help(h);
    }
    d
}

/// Tokens that only say "a comment could go here" or "this name could go
/// on": true at almost every position, so they drown the real expectation.
fn noise(token: &str) -> bool {
    matches!(token, "#" | "//" | "/*" | "_" | "-" | "\r" | "\n") || token.trim().is_empty()
}

/// The token at `pos`, for "found …": a word, or one character.
fn found_at(text: &str, pos: usize) -> String {
    let rest = text.get(pos..).unwrap_or("");
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '/'))
        .take(40)
        .collect();
    if word.is_empty() {
        rest.chars().next().map(String::from).unwrap_or_default()
    } else {
        word
    }
}

fn hint(expected: &[String], found: &str) -> Option<String> {
    if found.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
        return Some("names are lowercase: `[a-z_][a-z0-9_-]*`".into());
    }
    if found == ":" {
        return Some("attributes are written `name = value`, not `name: value`".into());
    }
    if found == ","
        && expected
            .iter()
            .any(|e| e == "an attribute name" || e == "`}`")
    {
        return Some("attributes are separated by spaces or newlines, not commas".into());
    }
    if expected.iter().any(|e| e.starts_with("a block body")) {
        return Some("an attribute needs `=` (`name = value`); a block needs a body (`name \"label\" { … }`)".into());
    }
    if found == "'" {
        return Some("strings use double quotes: \"…\"".into());
    }
    None
}

/// Words for a rule; `None` for rules that add nothing to a message.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "the end of the file",
        Rule::file | Rule::import | Rule::kw_import => "`import`",
        Rule::block | Rule::block_type => "a block",
        Rule::label => "a block label (a quoted string)",
        Rule::block_body => "a block body `{ … }`",
        Rule::attribute | Rule::attr_name => "an attribute name",
        Rule::list
        | Rule::object
        | Rule::call
        | Rule::typed_literal
        | Rule::boolean
        | Rule::dotted => "a value",
        Rule::heredoc | Rule::number_like | Rule::colon_word | Rule::func_name => "a value",
        Rule::string | Rule::string_text | Rule::escape => "a string",
        Rule::interpolation => "an interpolation `${…}`",
        Rule::object_item | Rule::object_key | Rule::ident_key => "an object key",
        Rule::heredoc_tag => "a heredoc tag (uppercase, e.g. `EOT`)",
        Rule::heredoc_body | Rule::heredoc_indent => "the heredoc's closing tag",
        Rule::ident | Rule::dot_segment => "a name",
        _ => return None,
    })
}
