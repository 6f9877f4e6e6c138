//! `stackc fmt`: one canonical layout. Structure (indentation, spacing,
//! alignment of `=`, list and object layout) is normalised; every leaf token
//! (strings, literals, names, heredocs) is printed exactly as written, so
//! formatting can never change meaning. Comments are re-attached by
//! position: leading comments stay above their item, trailing ones stay on
//! its line, and none is ever dropped.

use crate::diag::Diagnostic;
use crate::span::{FileId, Span};
use crate::syntax::ast::*;

/// Format a source text, or return its syntax errors.
pub fn format_source(text: &str, file: FileId) -> Result<String, Vec<Diagnostic>> {
    let (ast, diags) = crate::syntax::parse(text, file);
    let fatal: Vec<Diagnostic> = diags
        .into_iter()
        .filter(|d| d.code.code == "E0101")
        .collect();
    if !fatal.is_empty() {
        return Err(fatal);
    }
    Ok(format_file(&ast, text))
}

pub fn format_file(ast: &File, src: &str) -> String {
    let mut p = Printer {
        src,
        out: String::new(),
        comments: &ast.comments,
        next: 0,
        indent: 0,
        // A private-use character the source does not contain marks trailing
        // comments for the alignment pass.
        mark: ('\u{E000}'..='\u{F8FF}')
            .find(|c| !src.contains(*c))
            .unwrap_or('\u{1}'),
    };
    p.file(ast);
    align_trailing_comments(&p.out, p.mark)
}

/// Trailing comments on consecutive lines start in one column. The printer
/// marks each with a private-use character the source does not contain.
fn align_trailing_comments(out: &str, mark: char) -> String {
    let lines: Vec<&str> = out.split('\n').collect();
    let mut result = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let mut j = i;
        while j < lines.len() && lines[j].contains(mark) {
            j += 1;
        }
        if j == i {
            result.push(lines[i].to_string());
            i += 1;
            continue;
        }
        let width = lines[i..j]
            .iter()
            .map(|l| l.split(mark).next().unwrap_or("").chars().count())
            .max()
            .unwrap_or(0);
        for l in &lines[i..j] {
            let (code, comment) = l.split_once(mark).unwrap_or((l, ""));
            let pad = width - code.chars().count();
            result.push(format!("{code}{} {comment}", " ".repeat(pad)));
        }
        i = j;
    }
    result.join("\n")
}

struct Printer<'a> {
    src: &'a str,
    out: String,
    comments: &'a [Comment],
    /// Index of the first comment not yet printed.
    next: usize,
    indent: usize,
    mark: char,
}

const INDENT: &str = "  ";

impl<'a> Printer<'a> {
    fn text(&self, span: Span) -> &'a str {
        self.src.get(span.range()).unwrap_or("")
    }

    fn newline(&mut self) {
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        self.out.push('\n');
        for _ in 0..self.indent {
            self.out.push_str(INDENT);
        }
    }

    /// True when the source has an empty line between `a` and `b`.
    fn blank_between(&self, a: usize, b: usize) -> bool {
        let gap = self.src.get(a..b).unwrap_or("");
        gap.split('\n')
            .skip(1)
            .take(gap.matches('\n').count().saturating_sub(1))
            .any(|l| l.trim().is_empty())
            && gap.matches('\n').count() >= 2
    }

    fn has_comment_in(&self, span: Span) -> bool {
        // Comments are in source order: look from the first at or after `start`.
        let at = self.comments.partition_point(|c| c.span.start < span.start);
        self.comments
            .get(at)
            .is_some_and(|c| c.span.end <= span.end)
    }

    /// True when a comment between the name of `items[i - 1]` and its `=`
    /// will be printed on its own line before `items[i]`, breaking the `=`
    /// run as it will on the next pass. Such a comment on the same source
    /// line as the end of `items[i - 2]` is printed as that item's trailing
    /// comment instead, and breaks nothing.
    fn moved_before(&self, items: &[BodyItem], i: usize) -> bool {
        let BodyItem::Attribute(p) = &items[i - 1] else {
            return false;
        };
        let (from, to) = (p.name.span.end, p.value.span.start);
        let before = i.checked_sub(2).map(|j| items[j].span().end);
        self.comments
            .iter()
            .filter(|c| from <= c.span.start && c.span.end <= to)
            .any(|c| !before.is_some_and(|end| self.trails(end, c)))
    }

    /// Whether `trailing_comment(end)` will print `c`: the first comment
    /// after `end`, on the same source line.
    fn trails(&self, end: u32, c: &Comment) -> bool {
        let first = !self
            .comments
            .iter()
            .any(|o| end <= o.span.start && o.span.start < c.span.start);
        first && self.on_the_line_of(end, c)
    }

    /// `c` starts after `end` on the same source line: the rule that makes
    /// a comment an item's trailing comment.
    fn on_the_line_of(&self, end: u32, c: &Comment) -> bool {
        let gap = self.src.get(end as usize..c.span.start as usize);
        c.span.start >= end && gap.is_some_and(|g| !g.contains('\n'))
    }

    /// Print every pending comment that starts before `pos`, each on its
    /// own line, keeping the blank lines the source had between and after
    /// them (`prev_end` is where the previous item ended). The caller has
    /// already separated the item from the one before.
    fn leading_comments(&mut self, pos: u32, mut prev_end: usize) {
        let mut printed = false;
        while let Some(c) = self.comments.get(self.next).filter(|c| c.span.start < pos) {
            if printed && self.blank_between(prev_end, c.span.start as usize) {
                self.newline();
            }
            self.out.push_str(&c.text);
            self.newline();
            prev_end = c.span.end as usize;
            self.next += 1;
            printed = true;
        }
        if printed && (pos as usize) < self.src.len() && self.blank_between(prev_end, pos as usize)
        {
            self.newline();
        }
    }

    /// A comment on the same source line right after `end`.
    fn trailing_comment(&mut self, end: u32) {
        if let Some(c) = self.comments.get(self.next) {
            if self.on_the_line_of(end, c) {
                self.out.push(' ');
                self.out.push(self.mark);
                self.out.push_str(&c.text);
                self.next += 1;
            }
        }
    }

    fn file(&mut self, f: &File) {
        let mut prev: Option<&Item> = None;
        for item in &f.items {
            if let Some(p) = prev {
                // Imports, and one-line blocks such as `addon "loki" {}`,
                // may stand in a group; anything else gets a blank line.
                // Judged by how the item will be printed: a one-line source
                // block with a nested block inside is printed on several lines.
                let one_line = |i: &Item| match i {
                    Item::Block(b) => self.prints_inline(b),
                    Item::Import(_) => !self.text(i.span()).contains('\n'),
                };
                let grouped = matches!((p, item), (Item::Import(_), Item::Import(_)))
                    || matches!((p, item), (Item::Block(_), Item::Block(_)))
                        && one_line(p)
                        && one_line(item);
                if !grouped || self.blank_between(p.span().end as usize, item.span().start as usize)
                {
                    self.newline();
                }
            }
            let prev_end = prev.map_or(0, |p| p.span().end as usize);
            self.leading_comments(item.span().start, prev_end);
            match item {
                Item::Import(i) => {
                    self.out.push_str("import ");
                    self.out.push_str(self.text(i.path.span));
                }
                Item::Block(b) => self.block(b),
            }
            self.trailing_comment(item.span().end);
            self.newline();
            prev = Some(item);
        }
        let end = self.src.len() as u32 + 1;
        if !f.items.is_empty() && self.next < self.comments.len() {
            self.newline();
        }
        self.leading_comments(end, f.items.last().map_or(0, |i| i.span().end as usize));
        let trimmed = self.out.trim_end().len();
        self.out.truncate(trimmed);
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    /// A body printed as `{ a = 1  b = 2 }`: one source line of attributes
    /// and no comment.
    fn inline_body(&self, b: &Block) -> bool {
        !self.text(b.body_span).contains('\n')
            && !self.has_comment_in(b.body_span)
            && b.body.iter().all(|i| matches!(i, BodyItem::Attribute(_)))
    }

    /// Whether the whole block is printed on one line.
    fn prints_inline(&self, b: &Block) -> bool {
        !self.text(b.span).contains('\n')
            && (self.inline_body(b) || b.body.is_empty() && !self.has_comment_in(b.body_span))
    }

    fn block(&mut self, b: &Block) {
        self.out.push_str(&b.kind.name);
        for l in &b.labels {
            self.out.push(' ');
            self.out.push_str(self.text(l.span));
        }
        self.out.push(' ');
        let inline = self.inline_body(b);
        if b.body.is_empty() && !self.has_comment_in(b.body_span) {
            self.out.push_str("{}");
        } else if inline {
            self.out.push_str("{ ");
            for (i, item) in b.body.iter().enumerate() {
                if i > 0 {
                    self.out.push_str("  ");
                }
                if let BodyItem::Attribute(a) = item {
                    self.out.push_str(&a.name.name);
                    self.out.push_str(" = ");
                    self.expr(&a.value);
                }
            }
            self.out.push_str(" }");
        } else {
            self.body(b);
        }
    }

    fn body(&mut self, b: &Block) {
        self.out.push('{');
        // A comment right after `{`, before the first item, stays there.
        let first = b.body.first().map_or(b.body_span.end, |i| i.span().start);
        if self
            .comments
            .get(self.next)
            .is_some_and(|c| c.span.start < first)
        {
            self.trailing_comment(b.body_span.start + 1);
        }
        self.indent += 1;
        let widths = self.alignment(&b.body);
        let mut prev_end = b.body_span.start as usize + 1;
        for (i, item) in b.body.iter().enumerate() {
            self.newline();
            if i > 0 && self.blank_between(prev_end, self.first_start(item.span())) {
                self.newline();
            }
            self.leading_comments(item.span().start, prev_end);
            match item {
                BodyItem::Attribute(a) => {
                    self.out.push_str(&a.name.name);
                    for _ in a.name.name.chars().count()..widths[i] {
                        self.out.push(' ');
                    }
                    self.out.push_str(" = ");
                    self.expr(&a.value);
                }
                BodyItem::Block(nb) => self.block(nb),
            }
            self.trailing_comment(item.span().end);
            prev_end = item.span().end as usize;
        }
        let close = b.body_span.end.saturating_sub(1);
        if self
            .comments
            .get(self.next)
            .is_some_and(|c| c.span.start < close)
        {
            self.newline();
            self.leading_comments(close, prev_end);
            self.indent -= 1;
            // The last comment left a newline with the inner indent.
            let trimmed = self.out.trim_end_matches(' ').len();
            self.out.truncate(trimmed);
            for _ in 0..self.indent {
                self.out.push_str(INDENT);
            }
        } else {
            self.indent -= 1;
            self.newline();
        }
        self.out.push('}');
    }

    /// Where an item's leading comments begin (for blank-line detection).
    fn first_start(&self, span: Span) -> usize {
        self.comments
            .get(self.next)
            .filter(|c| c.span.start < span.start)
            .map_or(span.start as usize, |c| c.span.start as usize)
    }

    /// `=` columns: runs of attributes on consecutive lines align.
    fn alignment(&self, items: &[BodyItem]) -> Vec<usize> {
        let mut widths = vec![0; items.len()];
        let mut run: Vec<usize> = Vec::new();
        let flush = |run: &mut Vec<usize>, widths: &mut Vec<usize>| {
            let w = run.iter().map(|&i| name_len(&items[i])).max().unwrap_or(0);
            for &i in run.iter() {
                widths[i] = w;
            }
            run.clear();
        };
        for (i, item) in items.iter().enumerate() {
            let breaks = match (i.checked_sub(1).map(|j| &items[j]), item) {
                (_, BodyItem::Block(_)) => true,
                (Some(BodyItem::Attribute(p)), BodyItem::Attribute(a)) => {
                    let gap = self
                        .src
                        .get(p.span.end as usize..a.span.start as usize)
                        .unwrap_or("");
                    // What follows the previous line (its trailing comment) does not break a run.
                    let after = gap.split_once('\n').map_or("", |(_, rest)| rest);
                    gap.matches('\n').count() > 1
                        || after.contains('#')
                        || after.contains("//")
                        || after.contains("/*")
                        || self.moved_before(items, i)
                        || self.multiline(&p.value)
                }
                _ => false,
            };
            if breaks {
                flush(&mut run, &mut widths);
            }
            if matches!(item, BodyItem::Attribute(_)) {
                run.push(i);
            }
        }
        flush(&mut run, &mut widths);
        widths
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::List(items) => self.list(e, items),
            ExprKind::Object(items) => self.object(e, items),
            ExprKind::Call(call) => {
                self.out.push_str(&call.name.name);
                self.out.push('(');
                for (i, a) in call.args.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.expr(a);
                }
                self.out.push(')');
            }
            _ => self.out.push_str(self.text(e.span)),
        }
    }

    fn multiline(&self, e: &Expr) -> bool {
        self.text(e.span).contains('\n') || self.has_comment_in(e.span)
    }

    fn list(&mut self, e: &Expr, items: &[Expr]) {
        if !self.multiline(e) || items.is_empty() && !self.has_comment_in(e.span) {
            self.out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.expr(item);
            }
            self.out.push(']');
            return;
        }
        self.out.push('[');
        self.indent += 1;
        let mut prev_end = e.span.start as usize + 1;
        for item in items {
            self.newline();
            self.leading_comments(item.span.start, prev_end);
            self.expr(item);
            self.out.push(',');
            self.trailing_comment(item.span.end + self.comma_after(item.span.end));
            prev_end = item.span.end as usize;
        }
        self.close(e.span, prev_end, ']');
    }

    /// Bytes from `end` past a following `,` (so a trailing comment after
    /// `item,` is found).
    fn comma_after(&self, end: u32) -> u32 {
        let rest = self.src.get(end as usize..).unwrap_or("");
        let trimmed = rest.trim_start_matches([' ', '\t']);
        if trimmed.starts_with(',') {
            (rest.len() - trimmed.len() + 1) as u32
        } else {
            0
        }
    }

    fn close(&mut self, span: Span, prev_end: usize, bracket: char) {
        let close = span.end.saturating_sub(1);
        if self
            .comments
            .get(self.next)
            .is_some_and(|c| c.span.start < close)
        {
            self.newline();
            self.leading_comments(close, prev_end);
            self.indent -= 1;
            let trimmed = self.out.trim_end_matches(' ').len();
            self.out.truncate(trimmed);
            for _ in 0..self.indent {
                self.out.push_str(INDENT);
            }
        } else {
            self.indent -= 1;
            self.newline();
        }
        self.out.push(bracket);
    }

    fn object(&mut self, e: &Expr, items: &[ObjectItem]) {
        if items.is_empty() && !self.has_comment_in(e.span) {
            self.out.push_str("{}");
            return;
        }
        if !self.multiline(e) {
            self.out.push_str("{ ");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.out.push_str(self.text(item.key.span));
                self.out.push_str(" = ");
                self.expr(&item.value);
            }
            self.out.push_str(" }");
            return;
        }
        let width = items
            .iter()
            .map(|i| self.text(i.key.span).chars().count())
            .max()
            .unwrap_or(0);
        self.out.push('{');
        self.indent += 1;
        let mut prev_end = e.span.start as usize + 1;
        for item in items {
            self.newline();
            self.leading_comments(item.key.span.start, prev_end);
            let key = self.text(item.key.span).to_string();
            self.out.push_str(&key);
            for _ in key.chars().count()..width {
                self.out.push(' ');
            }
            self.out.push_str(" = ");
            self.expr(&item.value);
            self.trailing_comment(item.value.span.end + self.comma_after(item.value.span.end));
            prev_end = item.value.span.end as usize;
        }
        self.close(e.span, prev_end, '}');
    }
}

fn name_len(item: &BodyItem) -> usize {
    match item {
        BodyItem::Attribute(a) => a.name.name.chars().count(),
        BodyItem::Block(_) => 0,
    }
}
