//! A small YAML writer with the quoting Ansible needs. Every string is
//! double-quoted (so `yes`, `on`, `0755`, `1e3` or `: ` stay strings in YAML
//! 1.1 and 1.2), strings from the stack that contain Jinja delimiters are
//! tagged `!unsafe` (Ansible never evaluates them), long strings are folded
//! losslessly under the line-length limit, and maps keep the order they were
//! built in (sorted where the builder sorts).

/// A YAML value. `Str` is data from the stack; `Jinja` is a template stackc
/// writes itself (the only strings Ansible may evaluate).
#[derive(Debug, Clone, PartialEq)]
pub enum Y {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Jinja(String),
    List(Vec<Y>),
    Map(Vec<(String, Y)>),
}

impl Y {
    pub fn str(s: impl Into<String>) -> Y {
        Y::Str(s.into())
    }

    pub fn map() -> Y {
        Y::Map(Vec::new())
    }

    /// Add `key: value` to a map (no-op on other values).
    pub fn with(mut self, key: &str, value: Y) -> Y {
        if let Y::Map(m) = &mut self {
            m.push((key.to_string(), value));
        }
        self
    }

    pub fn insert(&mut self, key: &str, value: Y) {
        if let Y::Map(m) = self {
            m.push((key.to_string(), value));
        }
    }

    pub fn strs<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Y {
        Y::List(items.into_iter().map(|s| Y::str(s.as_ref())).collect())
    }

    /// From JSON (Helm values, manifests): strings are data.
    pub fn from_json(v: &serde_json::Value) -> Y {
        use serde_json::Value as J;
        match v {
            J::Null => Y::Null,
            J::Bool(b) => Y::Bool(*b),
            J::Number(n) => n.as_i64().map_or_else(|| Y::Str(n.to_string()), Y::Int),
            J::String(s) => Y::Str(s.clone()),
            J::Array(a) => Y::List(a.iter().map(Y::from_json).collect()),
            J::Object(o) => Y::Map(
                o.iter()
                    .map(|(k, v)| (k.clone(), Y::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// Lines stay under yamllint's 160 columns.
const WIDTH: usize = 150;

/// A whole YAML document (`---` first, newline last).
pub fn document(v: &Y) -> String {
    let mut out = String::from("---\n");
    match v {
        Y::Map(m) if !m.is_empty() => write_map(&mut out, m, 0),
        Y::List(l) if !l.is_empty() => write_list(&mut out, l, 0),
        other => {
            scalar(&mut out, other, 0);
            out.push('\n');
        }
    }
    out
}

/// `key:` on its own line: a map or list follows at `depth + 1`.
pub fn open_entry(out: &mut String, k: &str, depth: usize) {
    indent(out, depth);
    key(out, k);
    out.push_str(":\n");
}

/// `key: "value"` for a string.
pub fn str_entry(out: &mut String, k: &str, v: &str, depth: usize) {
    indent(out, depth);
    key(out, k);
    out.push_str(": ");
    data_string(out, v, depth + 1);
    out.push('\n');
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push_str("  ");
    }
}

fn write_map(out: &mut String, m: &[(String, Y)], depth: usize) {
    for (k, v) in m {
        write_entry(out, k, v, depth);
    }
}

/// One `key: value` of a map at `depth`, the value nested below when it is
/// a non-empty map or list. Large documents (the inventory) are written
/// entry by entry with it instead of as one `Y` tree.
pub fn write_entry(out: &mut String, k: &str, v: &Y, depth: usize) {
    {
        indent(out, depth);
        key(out, k);
        out.push(':');
        match v {
            Y::Map(inner) if !inner.is_empty() => {
                out.push('\n');
                write_map(out, inner, depth + 1);
            }
            Y::List(items) if !items.is_empty() => {
                out.push('\n');
                write_list(out, items, depth + 1);
            }
            Y::Null => out.push('\n'),
            other => {
                out.push(' ');
                scalar(out, other, depth + 1);
                out.push('\n');
            }
        }
    }
}

fn write_list(out: &mut String, items: &[Y], depth: usize) {
    for item in items {
        indent(out, depth);
        out.push_str("- ");
        match item {
            Y::Map(m) if !m.is_empty() => {
                // The first key shares the dash's line; the rest align under it.
                let start = out.len();
                write_map(out, m, depth + 1);
                let pad = (depth + 1) * 2;
                if out[start..].starts_with(' ') {
                    out.replace_range(start..start + pad, "");
                }
            }
            Y::List(l) if !l.is_empty() => {
                out.push('\n');
                write_list(out, l, depth + 1);
            }
            other => {
                scalar(out, other, depth + 1);
                out.push('\n');
            }
        }
    }
}

/// Keys are plain when they are simple names, else quoted.
fn key(out: &mut String, k: &str) {
    // Bytes, not chars: a non-ASCII character is never plain either way.
    let b = k.as_bytes();
    let simple = b
        .first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/'))
        && (k.len() > 5 || !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(k)));
    if simple {
        out.push_str(k);
    } else {
        quote(out, k, usize::MAX, 0);
    }
}

/// Words YAML 1.1 would read as something other than a string.
const RESERVED: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
];

fn scalar(out: &mut String, v: &Y, depth: usize) {
    match v {
        Y::Null => out.push_str("null"),
        Y::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Y::Int(i) => out.push_str(itoa::Buffer::new().format(*i)),
        Y::Str(s) => data_string(out, s, depth),
        Y::Jinja(s) => quote(out, s, WIDTH, depth),
        Y::Map(_) => out.push_str("{}"),
        Y::List(_) => out.push_str("[]"),
    }
}

/// A string from the stack: quoted, and `!unsafe` when it looks like Jinja.
fn data_string(out: &mut String, s: &str, depth: usize) {
    if has_jinja(s) {
        out.push_str("!unsafe ");
        quote(out, s, WIDTH.saturating_sub(8), depth);
    } else {
        quote(out, s, WIDTH, depth);
    }
}

fn has_jinja(s: &str) -> bool {
    // One pass over the bytes instead of three substring searches.
    s.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'{' && matches!(w[1], b'{' | b'%' | b'#'))
}

/// A double-quoted scalar; past `width` it is folded with escaped line
/// breaks, which YAML removes on reading (a leading space on a continuation
/// line is escaped so it is kept).
fn quote(out: &mut String, s: &str, width: usize, depth: usize) {
    let room = if width == usize::MAX {
        usize::MAX
    } else {
        width.saturating_sub(depth * 2 + 4).max(20)
    };
    out.push('"');
    // Most strings are short printable ASCII: nothing to escape or fold.
    if s.len() <= room
        && s.bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        out.push_str(s);
        out.push('"');
        return;
    }
    let pad = "  ".repeat(depth + 1);
    // Characters on the current line of the scalar (escapes count in full).
    let mut line = 0usize;
    let mut buf = [0u8; 4];
    for c in s.chars() {
        let esc: &str = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\t' => "\\t",
            '\r' => "\\r",
            c if (c as u32) < 0x20
                || matches!(
                    c,
                    '\u{7f}' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'
                ) =>
            {
                let e = format!("\\u{:04x}", c as u32);
                push_piece(out, &e, &mut line, room, &pad, c);
                continue;
            }
            c => c.encode_utf8(&mut buf),
        };
        push_piece(out, esc, &mut line, room, &pad, c);
    }
    out.push('"');
}

/// Append one (escaped) character, folding the line first when it is full:
/// an escaped line break is removed on reading, and a space that would
/// start the continuation line is escaped so it is kept.
fn push_piece(out: &mut String, esc: &str, line: &mut usize, room: usize, pad: &str, c: char) {
    let n = esc.chars().count();
    if *line > 0 && line.saturating_add(n) > room {
        out.push_str("\\\n");
        out.push_str(pad);
        *line = 0;
        if c == ' ' {
            out.push_str("\\ ");
            *line = 2;
            return;
        }
    }
    out.push_str(esc);
    *line += n;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_always_quoted_and_jinja_is_unsafe() {
        let v = Y::map()
            .with("a", Y::str("yes"))
            .with("b", Y::str("0755"))
            .with("c", Y::str("{{ lookup('pipe','id') }}"))
            .with("d", Y::Jinja("{{ groups['control_plane'][0] }}".into()))
            .with("on", Y::Bool(true))
            .with("e", Y::List(vec![]))
            .with(
                "f",
                Y::List(vec![Y::map()
                    .with("x", Y::Int(1))
                    .with("y", Y::str("a: b # c"))]),
            );
        let text = document(&v);
        assert_eq!(
            text,
            "---\na: \"yes\"\nb: \"0755\"\nc: !unsafe \"{{ lookup('pipe','id') }}\"\nd: \"{{ groups['control_plane'][0] }}\"\n\"on\": true\ne: []\nf:\n  - x: 1\n    \"y\": \"a: b # c\"\n"
        );
    }

    #[test]
    fn long_strings_fold_under_the_width() {
        let long = format!("ssh-rsa {} user@host", "A".repeat(700));
        let text = document(&Y::map().with("k", Y::str(long.clone())));
        assert!(text.lines().all(|l| l.chars().count() <= 160), "{text}");
        assert!(text.contains("\\\n"));
    }
}
