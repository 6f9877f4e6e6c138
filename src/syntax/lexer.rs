//! The atomic rules of `grammar/stack.pest` (`@{…}`, the trivia and the
//! pieces of the compound-atomic `string` and `heredoc`), for the
//! hand-written parser in `descent.rs`.
//!
//! Each function takes a byte position and returns where its token ends, or
//! `None` when the rule does not match there: no state, no allocation. pest
//! skips no whitespace inside an atomic rule, so neither do these.
//!
//! Every delimiter in the grammar is ASCII, and UTF-8 never uses an ASCII
//! byte inside a multi-byte character, so scanning bytes finds exactly the
//! characters pest would find. Only `ANY` after a backslash needs to know how
//! long a character is.

/// Character classes of the grammar, one bit each, looked up per byte.
const WS: u8 = 1;
const IDENT_START: u8 = 2;
const IDENT_CHAR: u8 = 4;
const LITERAL_CHAR: u8 = 8;
const HEX: u8 = 16;

static CLASS: [u8; 256] = classes();

const fn classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        let lower = b.is_ascii_lowercase();
        let digit = b.is_ascii_digit();
        let mut k = 0;
        // WHITESPACE = _{ " " | "\t" | "\r" | "\n" }
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            k |= WS;
        }
        // ident = @{ (ASCII_ALPHA_LOWER | "_") ~ ident_char* }
        if lower || b == b'_' {
            k |= IDENT_START;
        }
        // ident_char = _{ ASCII_ALPHA_LOWER | ASCII_DIGIT | "_" | "-" }, also
        // exactly the characters of `dot_segment`.
        if lower || digit || b == b'_' || b == b'-' {
            k |= IDENT_CHAR;
        }
        // literal_char = _{ ASCII_ALPHANUMERIC | "." | ":" | "/" | "-" | "_" }
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b':' | b'/' | b'-' | b'_') {
            k |= LITERAL_CHAR;
        }
        if b.is_ascii_hexdigit() {
            k |= HEX;
        }
        t[c] = k;
        c += 1;
    }
    t
}

fn is(c: u8, class: u8) -> bool {
    CLASS[usize::from(c)] & class != 0
}

/// `WHITESPACE`
pub fn is_whitespace(c: u8) -> bool {
    is(c, WS)
}

/// The first character of `ident`.
pub fn is_ident_start(c: u8) -> bool {
    is(c, IDENT_START)
}

/// `ident_char`
pub fn is_ident_char(c: u8) -> bool {
    is(c, IDENT_CHAR)
}

/// `literal_char`
fn is_literal_char(c: u8) -> bool {
    is(c, LITERAL_CHAR)
}

/// The byte at `i`, `None` at the end of the input.
fn at(b: &[u8], i: usize) -> Option<u8> {
    b.get(i).copied()
}

/// The first index at or after `i` whose byte does not satisfy `pred`.
fn run(b: &[u8], mut i: usize, pred: impl Fn(u8) -> bool) -> usize {
    while i < b.len() && pred(b[i]) {
        i += 1;
    }
    i
}

/// The index of the next `\n` at or after `i`, or the end of the input.
pub fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

/// `ident = @{ (ASCII_ALPHA_LOWER | "_") ~ ident_char* }`
pub fn ident(b: &[u8], i: usize) -> Option<usize> {
    if !at(b, i).is_some_and(is_ident_start) {
        return None;
    }
    Some(run(b, i + 1, is_ident_char))
}

/// `dotted = @{ ident ~ ("." ~ dot_segment)* }`. A `.` not followed by a
/// segment character ends the name before the dot (the repetition backs off).
pub fn dotted(b: &[u8], i: usize) -> Option<usize> {
    let mut end = ident(b, i)?;
    while at(b, end) == Some(b'.') {
        let seg_end = run(b, end + 1, is_ident_char);
        if seg_end == end + 1 {
            break;
        }
        end = seg_end;
    }
    Some(end)
}

/// `boolean = @{ ("true" | "false") ~ !ident_char }`: the value and its end.
pub fn boolean(b: &[u8], i: usize) -> Option<(bool, usize)> {
    let rest = &b[i..];
    let (value, len) = if rest.starts_with(b"true") {
        (true, 4)
    } else if rest.starts_with(b"false") {
        (false, 5)
    } else {
        return None;
    };
    (!at(b, i + len).is_some_and(is_ident_char)).then_some((value, i + len))
}

/// `typed_literal = @{ colon_word | number_like }` with
/// `colon_word = @{ ASCII_HEX_DIGIT* ~ ":" ~ literal_char* }` and
/// `number_like = @{ ASCII_DIGIT ~ literal_char* }`.
///
/// Hex digits, digits and `:` are all literal characters, so whichever
/// alternative matches, the token is the whole run of literal characters.
pub fn typed_literal(b: &[u8], i: usize) -> Option<usize> {
    let hex_end = run(b, i, |c| is(c, HEX));
    let colon_word = at(b, hex_end) == Some(b':');
    let number_like = at(b, i).is_some_and(|c| c.is_ascii_digit());
    (colon_word || number_like).then(|| run(b, i, is_literal_char))
}

/// `COMMENT = { line_comment | block_comment }` at `i`: its end.
///
/// `line_comment = @{ ("#" | "//") ~ (!"\n" ~ ANY)* }` stops before the
/// newline; `block_comment = @{ "/*" ~ (!"*/" ~ ANY)* ~ "*/" }` does not
/// match at all when unterminated (the `/` is then left for the parser to
/// reject).
pub fn comment(text: &str, i: usize) -> Option<usize> {
    let rest = &text.as_bytes()[i..];
    if rest.starts_with(b"#") || rest.starts_with(b"//") {
        return Some(line_end(text.as_bytes(), i));
    }
    if rest.starts_with(b"/*") {
        return text[i + 2..].find("*/").map(|p| i + 2 + p + 2);
    }
    None
}

/// `string_text = @{ (!("\"" | "\\" | "${" | "\n") ~ ANY)+ }`: the end of
/// the run starting at `i`, which is `i` itself when the run is empty.
pub fn string_text(b: &[u8], mut i: usize) -> usize {
    while let Some(c) = at(b, i) {
        match c {
            b'"' | b'\\' | b'\n' => break,
            b'$' if at(b, i + 1) == Some(b'{') => break,
            _ => i += 1,
        }
    }
    i
}

/// `escape = @{ "\\" ~ ANY }` at a backslash: its end, `None` when the
/// backslash is the last character of the input.
pub fn escape(text: &str, i: usize) -> Option<usize> {
    text[i + 1..].chars().next().map(|c| i + 1 + c.len_utf8())
}

/// `heredoc_tag = @{ ASCII_ALPHA_UPPER ~ (ASCII_ALPHA_UPPER | ASCII_DIGIT | "_")* }`
pub fn heredoc_tag(b: &[u8], i: usize) -> Option<usize> {
    if !at(b, i).is_some_and(|c| c.is_ascii_uppercase()) {
        return None;
    }
    Some(run(b, i + 1, |c| {
        c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_'
    }))
}

/// `heredoc_nl = _{ "\r"? ~ "\n" }`
pub fn heredoc_nl(b: &[u8], i: usize) -> Option<usize> {
    let i = if at(b, i) == Some(b'\r') { i + 1 } else { i };
    (at(b, i) == Some(b'\n')).then_some(i + 1)
}

/// `heredoc_ws = _{ (" " | "\t")* }`
fn heredoc_ws(b: &[u8], i: usize) -> usize {
    run(b, i, |c| c == b' ' || c == b'\t')
}

/// `heredoc_body = @{ (!heredoc_term ~ (!"\n" ~ ANY)* ~ "\n")* }`: whole
/// lines from `i` up to the first line that starts with the closing tag, or
/// up to a last line that has no newline. Also whether it ended that second
/// way, having read to the end of the input in search of a newline.
pub fn heredoc_body(b: &[u8], mut i: usize, tag: &[u8]) -> (usize, bool) {
    loop {
        if heredoc_term(b, i, tag) {
            return (i, false);
        }
        match b[i..].iter().position(|&c| c == b'\n') {
            Some(p) => i += p + 1,
            None => return (i, true),
        }
    }
}

/// `heredoc_term = _{ heredoc_ws ~ PEEK ~ !(ASCII_ALPHANUMERIC | "_") }`:
/// whether the line at `i` closes the heredoc. Only the tag's end is
/// checked: `EOT }` closes, `EOTX` does not.
fn heredoc_term(b: &[u8], i: usize, tag: &[u8]) -> bool {
    let j = heredoc_ws(b, i);
    b[j..].starts_with(tag)
        && !at(b, j + tag.len()).is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// `heredoc_ws ~ POP` after the body: the end of the closing tag. Unlike
/// `heredoc_term` it has no lookahead, so a last line `EOTX` without a
/// newline closes at `EOT`.
pub fn heredoc_close(b: &[u8], i: usize, tag: &[u8]) -> Option<usize> {
    let j = heredoc_ws(b, i);
    b[j..].starts_with(tag).then_some(j + tag.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_stops_before_a_dot_without_a_segment() {
        assert_eq!(dotted(b"a.b.", 0), Some(3));
        assert_eq!(dotted(b"a.B", 0), Some(1));
        assert_eq!(dotted(b"ubuntu-24.04", 0), Some(12));
    }

    #[test]
    fn typed_literals_need_a_digit_first_or_a_colon_after_hex() {
        assert_eq!(typed_literal(b"10.1.1.0/24 ", 0), Some(11));
        assert_eq!(typed_literal(b"fd00::1", 0), Some(7));
        assert_eq!(typed_literal(b"::1", 0), Some(3));
        assert_eq!(typed_literal(b"dead-beef:1", 0), None);
        assert_eq!(typed_literal(b"deadbeef", 0), None);
    }

    #[test]
    fn booleans_are_whole_words() {
        assert_eq!(boolean(b"true.x", 0), Some((true, 4)));
        assert_eq!(boolean(b"trueish", 0), None);
        assert_eq!(boolean(b"false", 0), Some((false, 5)));
    }

    #[test]
    fn comments_and_their_ends() {
        assert_eq!(comment("# a\nb", 0), Some(3));
        assert_eq!(comment("/**/", 0), Some(4));
        assert_eq!(comment("/*/", 0), None);
        assert_eq!(comment("/ /", 0), None);
    }

    #[test]
    fn heredoc_terms_check_only_the_tag_end() {
        let b = b"a\nEOTX\n  EOT }\n";
        assert_eq!(heredoc_body(b, 0, b"EOT"), (7, false));
        assert_eq!(heredoc_body(b"a\nEOTX", 0, b"EOT"), (2, true));
        assert_eq!(heredoc_close(b"EOTX", 0, b"EOT"), Some(3));
    }
}
