//! The fast parser: recursive descent over bytes, building the AST directly.
//!
//! `grammar/stack.pest` stays the definition of the language; this module is
//! a faster reading of it that must accept exactly the same texts and build
//! exactly the tree `visit.rs` builds from pest's pairs (spans, comments,
//! diagnostics and their order included). One function per non-atomic rule,
//! named after it; the atomic rules are in `lexer.rs`.
//!
//! How pest's semantics are mirrored:
//! - *Implicit trivia.* Between the elements of a non-atomic rule pest runs
//!   `skip = WHITESPACE* ~ (COMMENT ~ WHITESPACE*)*`; [`Parser::skip`] is
//!   called at exactly those places and nowhere inside strings or heredocs.
//!   Skipping is idempotent, so skipping eagerly where pest would skip,
//!   fail and skip again gives the same result.
//! - *Ordered choice.* Where an alternative can fail after consuming input
//!   (only `call` inside `expr`), a [`Mark`] restores the position, the
//!   comments and the diagnostics, as pest truncates its token queue.
//!   Elsewhere the first byte decides, or a failed alternative implies that
//!   every later one fails too (noted where it happens).
//! - *Errors.* A failure is just `None`: the caller only needs to know which
//!   top-level statement failed, and pest, run on that statement, says why.

use super::ast::*;
use super::lexer;
use super::visit::{interpolation_not_allowed, push_text, strip_common_indent, unescape};
use super::{depth, literal};
use crate::diag::Diagnostic;
use crate::span::{FileId, Span};
use smallvec::SmallVec;

/// Why the fast parser gave up.
#[derive(Debug)]
pub enum Failure {
    /// A syntax error in the top-level statement (import or block) that
    /// starts at byte `stmt_start`, after the trivia before it.
    ///
    /// `whole_file`: an earlier statement made pest read ahead to the end of
    /// the input (a heredoc whose closing tag is glued to more text on the
    /// last line, which has no newline). pest's error tracking keeps that
    /// farthest point, so only a whole-file parse words the error as today.
    Syntax { stmt_start: usize, whole_file: bool },
    /// Nesting deeper than `MAX_DEPTH` that the depth pre-pass did not see
    /// (it approximates heredoc ends); reported instead of recursing on.
    TooDeep(Box<Diagnostic>),
}

/// Parse a whole file: the AST and the literal/escape findings, or why not.
pub fn parse(text: &str, file: FileId) -> Result<(File, Vec<Diagnostic>), Failure> {
    parse_range(text, file, 0, text.len())
}

/// Parse the statements of `text[from..to]` as if it were a whole file, with
/// spans into all of `text`. `from` and `to` must be char boundaries; a
/// range that does not begin and end between statements fails (or, if it
/// happens to parse, is the caller's to verify).
pub fn parse_range(
    text: &str,
    file: FileId,
    from: usize,
    to: usize,
) -> Result<(File, Vec<Diagnostic>), Failure> {
    let text = text.get(..to).unwrap_or(text);
    let mut p = Parser {
        text,
        b: text.as_bytes(),
        pos: from.min(text.len()),
        file,
        depth: 0,
        too_deep: None,
        read_to_end: false,
        comments: Vec::new(),
        diags: Vec::new(),
    };
    // file = { SOI ~ statement* ~ EOI }
    let mut items = Vec::new();
    p.skip();
    while p.pos < p.b.len() {
        let stmt_start = p.pos;
        let whole_file = p.read_to_end;
        match p.statement() {
            Some(item) => items.push(item),
            None => {
                let syntax = Failure::Syntax {
                    stmt_start,
                    whole_file,
                };
                return Err(p.too_deep().unwrap_or(syntax));
            }
        }
        p.skip();
    }
    // A call that went too deep may have been backtracked over: still refuse.
    if let Some(too_deep) = p.too_deep() {
        return Err(too_deep);
    }
    let ast = File {
        file,
        items,
        comments: p.comments,
    };
    Ok((ast, p.diags))
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    file: FileId,
    /// Open `{`, `[`, `(` and `${` around the current position.
    depth: usize,
    /// Where nesting first went past `MAX_DEPTH`, if it did.
    too_deep: Option<usize>,
    /// Whether pest would have read to the end of the input so far (see
    /// `Failure::Syntax`). Never reset: pest does not forget it either.
    read_to_end: bool,
    comments: Vec<Comment>,
    diags: Vec<Diagnostic>,
}

/// A point to backtrack to: what pest restores when an alternative fails.
struct Mark {
    pos: usize,
    depth: usize,
    comments: usize,
    diags: usize,
}

type P<T> = Option<T>;

/// The items gathered inline, in a Vec of exactly their number. (A Vec grown
/// by pushing, or `SmallVec::into_vec`, keeps room for four: most lists and
/// label sets have one item, and a fleet's tree is alive at peak memory.)
fn exact<A: smallvec::Array>(items: SmallVec<A>) -> Vec<A::Item> {
    let mut out = Vec::with_capacity(items.len());
    out.extend(items);
    out
}

impl<'a> Parser<'a> {
    // ─── Plumbing ──────────────────────────────────────────────────────────

    fn too_deep(&self) -> Option<Failure> {
        let at = self.too_deep?;
        Some(Failure::TooDeep(Box::new(depth::too_deep(self.file, at))))
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// Consume `c` if it is next.
    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect(&mut self, c: u8) -> P<()> {
        self.eat(c).then_some(())
    }

    fn mark(&self) -> Mark {
        Mark {
            pos: self.pos,
            depth: self.depth,
            comments: self.comments.len(),
            diags: self.diags.len(),
        }
    }

    fn reset(&mut self, m: Mark) {
        self.pos = m.pos;
        self.depth = m.depth;
        self.comments.truncate(m.comments);
        self.diags.truncate(m.diags);
    }

    /// One level deeper (an opening bracket at `at`); `None` past the limit,
    /// so recursion stays bounded whatever the pre-pass missed.
    fn enter(&mut self, at: usize) -> P<()> {
        self.depth += 1;
        if self.depth > depth::MAX_DEPTH {
            self.too_deep.get_or_insert(at);
            return None;
        }
        Some(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// pest's implicit `skip`: whitespace and comments, comments kept (with
    /// trailing whitespace trimmed, as `visit.rs` does). Called between any
    /// two tokens, so the usual case (a few spaces) stays inline.
    #[inline]
    fn skip(&mut self) {
        while let Some(&c) = self.b.get(self.pos) {
            match c {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                // Every comment starts with `#` or `/`.
                b'#' | b'/' => return self.skip_comments(),
                _ => return,
            }
        }
    }

    /// The rest of `skip`, from a `#` or `/` (which may not be a comment).
    #[inline(never)]
    fn skip_comments(&mut self) {
        while let Some(end) = lexer::comment(self.text, self.pos) {
            self.comments.push(Comment {
                text: self.text[self.pos..end].trim_end().to_string(),
                span: self.span(self.pos, end),
            });
            self.pos = end;
            while self.peek().is_some_and(lexer::is_whitespace) {
                self.pos += 1;
            }
        }
    }

    /// An `ident` token at the current position, consumed.
    fn ident(&mut self) -> P<Ident> {
        let start = self.pos;
        let end = lexer::ident(self.b, start)?;
        self.pos = end;
        Some(Ident {
            name: self.text[start..end].into(),
            span: self.span(start, end),
        })
    }

    // ─── File structure ────────────────────────────────────────────────────

    /// `statement = _{ import | block }`, `import = { kw_import ~ string }`.
    ///
    /// `kw_import` is `"import" ~ !ident_char`, i.e. an ident that is exactly
    /// `import`, and the skip after it is the skip after a `block_type`, so
    /// one ident and one skip serve both alternatives. When the string of an
    /// import fails, the block alternative fails on that same string (as a
    /// label, then at `block_body`), so the import is committed to.
    fn statement(&mut self) -> P<Item> {
        let kind = self.ident()?;
        self.skip();
        if kind.name == "import" && self.peek() == Some(b'"') {
            let path = self.static_string()?;
            let span = kind.span.to(path.span);
            return Some(Item::Import(Import { path, span }));
        }
        self.block_rest(kind).map(Item::Block)
    }

    /// `block = { block_type ~ label* ~ block_body }`, after the block type
    /// and the skip behind it. `label = { string }`.
    fn block_rest(&mut self, kind: Ident) -> P<Block> {
        // Gathered inline, then allocated at their exact size.
        let mut labels: SmallVec<[Str; 1]> = SmallVec::new();
        // A label that fails leaves a `"` where `block_body` needs `{`.
        while self.peek() == Some(b'"') {
            labels.push(self.static_string()?);
            self.skip();
        }
        let (body, body_span) = self.block_body()?;
        Some(Block {
            span: kind.span.to(body_span),
            kind,
            labels: exact(labels).into_boxed_slice(),
            body,
            body_span,
        })
    }

    /// `block_body = { "{" ~ body_item* ~ "}" }`. A body item never starts
    /// with `}`, so the next byte decides between another item and the end.
    fn block_body(&mut self) -> P<(Vec<BodyItem>, Span)> {
        let start = self.pos;
        let items = self.braced(false, Self::body_item)?;
        Some((items, self.span(start, self.pos)))
    }

    /// `"{" ~ item* ~ "}"`, each item followed by an optional `,` when
    /// `comma` (objects). No item starts with `}`, so it ends the items.
    fn braced<T>(&mut self, comma: bool, mut item: impl FnMut(&mut Self) -> P<T>) -> P<Vec<T>> {
        let start = self.pos;
        self.expect(b'{')?;
        self.enter(start)?;
        let mut items = Vec::new();
        loop {
            self.skip();
            if self.eat(b'}') {
                break;
            }
            items.push(item(self)?);
            if comma {
                self.skip();
                self.eat(b',');
            }
        }
        self.leave();
        Some(items)
    }

    /// `body_item = _{ attribute | block }`,
    /// `attribute = { attr_name ~ "=" ~ expr }`.
    ///
    /// Both start with an ident and a skip. With `=` next it is an attribute
    /// for good: were it to fail, the block alternative would stop at `=`.
    fn body_item(&mut self) -> P<BodyItem> {
        let name = self.ident()?;
        self.skip();
        if !self.eat(b'=') {
            return self.block_rest(name).map(BodyItem::Block);
        }
        self.skip();
        let value = self.expr()?;
        Some(BodyItem::Attribute(Attribute {
            span: name.span.to(value.span),
            name,
            value,
        }))
    }

    // ─── Expressions ───────────────────────────────────────────────────────

    /// `expr = _{ heredoc | string | list | object | call | typed_literal |
    /// boolean | dotted }`. The first four start with a byte no later
    /// alternative can start with, so a failure there is final.
    fn expr(&mut self) -> P<Expr> {
        match self.peek()? {
            b'<' => self.heredoc(),
            b'"' => self.string(),
            b'[' => self.list(),
            b'{' => self.object(),
            c if lexer::is_ident_start(c) => self.word(),
            _ => self.typed_literal(),
        }
    }

    /// `call | typed_literal | boolean | dotted` at a lowercase letter or `_`.
    fn word(&mut self) -> P<Expr> {
        let start = self.pos;
        let mark = self.mark();
        self.pos = lexer::ident(self.b, start)?;
        self.skip();
        if self.peek() == Some(b'(') {
            // The name is allocated only here: most words are not calls.
            let end = lexer::ident(self.b, start)?;
            let name = Ident {
                name: self.text[start..end].into(),
                span: self.span(start, end),
            };
            if let Some(call) = self.call_rest(name) {
                return Some(call);
            }
        }
        // Not a call: undo the skip (and whatever a failed call collected).
        self.reset(mark);
        if let Some(e) = self.typed_literal() {
            return Some(e);
        }
        if let Some((value, end)) = lexer::boolean(self.b, start) {
            self.pos = end;
            return Some(Expr {
                kind: ExprKind::Bool(value),
                span: self.span(start, end),
            });
        }
        let end = lexer::dotted(self.b, start)?;
        self.pos = end;
        Some(Expr {
            kind: ExprKind::Name(self.text[start..end].into()),
            span: self.span(start, end),
        })
    }

    /// `typed_literal`, classified by `literal.rs` (E0102/E0103 collected).
    fn typed_literal(&mut self) -> P<Expr> {
        let start = self.pos;
        let end = lexer::typed_literal(self.b, start)?;
        self.pos = end;
        let span = self.span(start, end);
        let (kind, diags) = literal::classify(&self.text[start..end], span);
        self.diags.extend(diags);
        Some(Expr { kind, span })
    }

    /// `call = { func_name ~ "(" ~ (expr ~ ("," ~ expr)* ~ ","?)? ~ ")" }`,
    /// from the `(`.
    fn call_rest(&mut self, name: Ident) -> P<Expr> {
        let args = self.sequence(b'(', b')')?;
        Some(Expr {
            span: self.span(name.span.start as usize, self.pos),
            kind: ExprKind::Call(Box::new(Call { name, args })),
        })
    }

    /// `list = { "[" ~ (expr ~ ("," ~ expr)* ~ ","?)? ~ "]" }`
    fn list(&mut self) -> P<Expr> {
        let start = self.pos;
        let items = self.sequence(b'[', b']')?;
        Some(Expr {
            kind: ExprKind::List(items),
            span: self.span(start, self.pos),
        })
    }

    /// `open ~ (expr ~ ("," ~ expr)* ~ ","?)? ~ close`, shared by lists and
    /// calls. No expression starts with `close`, so seeing it ends the list;
    /// anything else must be an expression (had `("," ~ expr)` failed, pest
    /// would take the `,` as the trailing one and then want `close` there).
    /// Items are gathered inline and allocated at their exact number.
    fn sequence(&mut self, open: u8, close: u8) -> P<Vec<Expr>> {
        let start = self.pos;
        self.expect(open)?;
        self.enter(start)?;
        let mut items: SmallVec<[Expr; 4]> = SmallVec::new();
        self.skip();
        if self.peek() != Some(close) {
            items.push(self.expr()?);
            loop {
                self.skip();
                if !self.eat(b',') {
                    break;
                }
                self.skip();
                if self.peek() == Some(close) {
                    break;
                }
                items.push(self.expr()?);
            }
        }
        self.expect(close)?;
        self.leave();
        Some(exact(items))
    }

    /// `object = { "{" ~ (object_item ~ ","?)* ~ "}" }`
    fn object(&mut self) -> P<Expr> {
        let start = self.pos;
        let items = self.braced(true, Self::object_item)?;
        Some(Expr {
            kind: ExprKind::Object(items),
            span: self.span(start, self.pos),
        })
    }

    /// `object_item = { object_key ~ "=" ~ expr }`,
    /// `object_key = { string | ident_key }`.
    fn object_item(&mut self) -> P<ObjectItem> {
        let key = if self.peek() == Some(b'"') {
            self.static_string()?
        } else {
            let id = self.ident()?;
            Str {
                value: id.name,
                span: id.span,
            }
        };
        self.skip();
        self.expect(b'=')?;
        self.skip();
        let value = self.expr()?;
        Some(ObjectItem { key, value })
    }

    // ─── Strings and heredocs ──────────────────────────────────────────────

    /// `string = ${ "\"" ~ string_part* ~ "\"" }` as an expression.
    fn string(&mut self) -> P<Expr> {
        let start = self.pos;
        let parts = self.string_parts()?;
        Some(Expr {
            kind: ExprKind::String(parts),
            span: self.span(start, self.pos),
        })
    }

    /// A string that must be plain (label, import path, object key): an
    /// interpolation is reported after the string's own findings and dropped,
    /// as `Visitor::visit_static_string` does.
    fn static_string(&mut self) -> P<Str> {
        let start = self.pos;
        if let Some(text) = self.plain_string() {
            return Some(Str {
                value: text.into(),
                span: self.span(start, self.pos),
            });
        }
        let parts = self.string_parts()?;
        let mut value = compact_str::CompactString::default();
        for part in parts {
            match part {
                StrPart::Text(t) if value.is_empty() => value = t,
                StrPart::Text(t) => value.push_str(&t),
                StrPart::Interp(e) => self.diags.push(interpolation_not_allowed(e.span)),
            }
        }
        Some(Str {
            value,
            span: self.span(start, self.pos),
        })
    }

    /// The fast path of a string: one run of plain text between quotes (most
    /// strings), consumed with its quotes. `None`, consuming nothing, for
    /// anything else.
    fn plain_string(&mut self) -> Option<&'a str> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let end = lexer::string_text(self.b, self.pos + 1);
        if self.b.get(end) != Some(&b'"') {
            return None;
        }
        let text = &self.text[self.pos + 1..end];
        self.pos = end + 1;
        Some(text)
    }

    /// The parts of a string, from its opening quote to after its closing
    /// one. `string` is compound-atomic: no trivia is skipped here, except
    /// inside `${ }`.
    fn string_parts(&mut self) -> P<Vec<StrPart>> {
        if let Some(text) = self.plain_string() {
            return Some(if text.is_empty() {
                Vec::new()
            } else {
                vec![StrPart::Text(text.into())]
            });
        }
        self.expect(b'"')?;
        let mut parts = Vec::new();
        loop {
            // string_part = _{ interpolation | escape | string_text }
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(parts);
                }
                b'$' if self.b.get(self.pos + 1) == Some(&b'{') => {
                    parts.push(StrPart::Interp(self.interpolation()?));
                }
                b'\\' => self.escape(&mut parts)?,
                // A newline ends no part and is no quote: the string fails.
                b'\n' => return None,
                _ => {
                    let end = lexer::string_text(self.b, self.pos);
                    push_text(&mut parts, &self.text[self.pos..end]);
                    self.pos = end;
                }
            }
        }
    }

    /// `escape = @{ "\\" ~ ANY }`: known ones become text, others E0101.
    fn escape(&mut self, parts: &mut Vec<StrPart>) -> P<()> {
        let start = self.pos;
        let end = lexer::escape(self.text, start)?;
        self.pos = end;
        let esc = &self.text[start..end];
        match unescape(esc) {
            Some(c) => push_text(parts, c),
            None => self
                .diags
                .push(super::visit::unknown_escape(self.span(start, end), esc)),
        }
        Some(())
    }

    /// `interpolation = !{ "${" ~ expr ~ "}" }`: non-atomic again, so trivia
    /// (and comments) inside `${ }` are skipped and kept.
    fn interpolation(&mut self) -> P<Expr> {
        let at = self.pos + 1;
        self.pos += 2;
        self.enter(at)?;
        self.skip();
        let e = self.expr()?;
        self.skip();
        self.expect(b'}')?;
        self.leave();
        Some(e)
    }

    /// `heredoc = ${ "<<" ~ heredoc_indent? ~ PUSH(heredoc_tag) ~ heredoc_nl
    /// ~ heredoc_body ~ heredoc_ws ~ POP }`. The tag stack of pest holds one
    /// tag here (a heredoc body is raw text, so heredocs never nest inside
    /// one another), so a local slice stands in for PUSH/PEEK/POP.
    fn heredoc(&mut self) -> P<Expr> {
        let start = self.pos;
        if !self.b[start..].starts_with(b"<<") {
            return None;
        }
        let mut i = start + 2;
        let indent = self.b.get(i) == Some(&b'-');
        if indent {
            i += 1;
        }
        let tag_end = lexer::heredoc_tag(self.b, i)?;
        let tag = &self.b[i..tag_end];
        let body_start = lexer::heredoc_nl(self.b, tag_end)?;
        let (body_end, read_to_end) = lexer::heredoc_body(self.b, body_start, tag);
        self.read_to_end |= read_to_end;
        let end = lexer::heredoc_close(self.b, body_end, tag)?;
        self.pos = end;
        let raw = &self.text[body_start..body_end];
        let body = if indent {
            strip_common_indent(raw)
        } else {
            raw.to_string()
        };
        Some(Expr {
            kind: ExprKind::Heredoc { indent, body },
            span: self.span(start, end),
        })
    }
}
