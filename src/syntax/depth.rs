//! A lexical pre-pass that bounds nesting before the recursive-descent
//! parser runs, so no input can drive the parser, the lowering or `fmt`
//! into a stack overflow.

use crate::diag::{codes, Diagnostic};
use crate::span::{FileId, Span};

/// Deepest nesting of `{`, `[`, `(` and `${` accepted in one file.
pub const MAX_DEPTH: usize = 64;

/// The first place where nesting exceeds [`MAX_DEPTH`], as an E0101.
pub fn check_depth(text: &str, file: FileId) -> Option<Diagnostic> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    // Each open `"` pushes the depth at which its `${` began; strings can nest
    // inside interpolations.
    let mut strings: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let in_string = strings.last().is_some_and(|&d| d == depth);
        // Most bytes mean nothing to either mode: pass over them in a tight
        // loop (neither `depth` nor `strings` changes on them).
        let special = if in_string {
            &STRING_SPECIAL
        } else {
            &CODE_SPECIAL
        };
        i += b[i..]
            .iter()
            .position(|&c| special[usize::from(c)])
            .unwrap_or(b.len() - i);
        let Some(&c) = b.get(i) else { break };
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => {
                    strings.pop();
                }
                b'$' if b.get(i + 1) == Some(&b'{') => {
                    depth += 1;
                    i += 1;
                    if depth > MAX_DEPTH {
                        return Some(too_deep(file, i));
                    }
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => strings.push(depth),
            b'#' => i = skip_line(b, i),
            b'/' if b.get(i + 1) == Some(&b'/') => i = skip_line(b, i),
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 1);
            }
            b'<' if b.get(i + 1) == Some(&b'<') => i = skip_heredoc(text, i),
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(too_deep(file, i));
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The bytes `check_depth` acts on, outside and inside a string.
static CODE_SPECIAL: [bool; 256] = byte_set(b"\"#/<{[(}])");
static STRING_SPECIAL: [bool; 256] = byte_set(b"\\\"$");

const fn byte_set(bytes: &[u8]) -> [bool; 256] {
    let mut set = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        set[bytes[i] as usize] = true;
        i += 1;
    }
    set
}

fn skip_line(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

/// Skip `<<TAG … TAG` (or `<<-TAG`); returns the index of the last byte consumed.
fn skip_heredoc(text: &str, i: usize) -> usize {
    let rest = &text[i + 2..];
    let rest_trim = rest.strip_prefix('-').unwrap_or(rest);
    let tag: String = rest_trim
        .chars()
        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
        .collect();
    if tag.is_empty() {
        return i + 1;
    }
    let Some(nl) = rest.find('\n') else {
        return text.len();
    };
    let mut pos = i + 2 + nl + 1;
    for line in text[pos..].split_inclusive('\n') {
        pos += line.len();
        if line.trim() == tag {
            return pos - 1;
        }
    }
    text.len()
}

pub(super) fn too_deep(file: FileId, at: usize) -> Diagnostic {
    Diagnostic::new(
        &codes::SYNTAX,
        Span::new(file, at, at + 1),
        format!("nesting deeper than {MAX_DEPTH} levels"),
    )
    .label("this opens one level too many")
    .help("a stack describes infrastructure, not deep data: flatten this value")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_reported_not_overflowed() {
        let text = format!(
            "site \"x\" {{ a = {}{} }}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert!(check_depth(&text, FileId(0)).is_some());
    }

    #[test]
    fn braces_in_strings_comments_and_heredocs_do_not_count() {
        let many = "{".repeat(200);
        let text =
            format!("# {many}\nsite \"{many}\" {{ a = <<EOT\n{many}\nEOT\n b = 1 }} /* {many} */");
        assert!(check_depth(&text, FileId(0)).is_none());
    }
}
