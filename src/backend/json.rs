//! A streaming JSON writer for large outputs. `main.tf.json` for a fleet
//! is tens of megabytes; building it as a `serde_json::Value` tree first
//! cost five times the writing itself (see the book's architecture page).
//!
//! The bytes are exactly those of `serde_json::to_string_pretty` on the
//! same data with sorted keys: two-space indent, `": "` after keys, `{}`
//! and `[]` for empty containers. Callers write object keys in sorted
//! order; debug builds assert it, so a test run catches a key out of place.

mod pipe;
mod stencil;

pub use pipe::write_piped;
use serde_json::Value;
use std::io::{self, Write};
pub use stencil::{Stencil, Template};

/// A streaming writer hands its buffer to the sink past this size, so a
/// document of any size costs this much memory, not its length.
const FLUSH_AT: usize = 256 * 1024;

/// `,` + newline + indentation, sliced instead of written piece by piece:
/// one copy per element (`[1..]` without the comma).
static BREAK: [u8; 258] = {
    let mut t = [b' '; 258];
    t[0] = b',';
    t[1] = b'\n';
    t
};

/// Where a streaming writer's full buffers go: any `Write`, or a pipe to a
/// thread that writes them while the next is filled ([`write_piped`]).
pub trait Sink {
    /// Take the bytes of `buf`: write them, or take the buffer itself
    /// (leaving an empty one in its place).
    fn send(&mut self, buf: &mut Vec<u8>) -> io::Result<()>;
    /// Everything has been sent.
    fn done(&mut self) -> io::Result<()>;
}

impl<W: Write + ?Sized> Sink for W {
    fn send(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        self.write_all(buf)
    }

    fn done(&mut self) -> io::Result<()> {
        self.flush()
    }
}

#[derive(Default)]
pub struct Json<'w> {
    out: Vec<u8>,
    /// Where a streaming writer sends full buffers (None: keep everything).
    sink: Option<&'w mut dyn Sink>,
    /// Bytes already handed to the sink.
    flushed: u64,
    /// The first write error; later writes are skipped.
    error: Option<io::Error>,
    depth: usize,
    /// The container just opened has no element yet.
    fresh: bool,
    /// The last key written at each open object (debug builds only).
    #[cfg(debug_assertions)]
    keys: Vec<Option<String>>,
}

impl<'w> Json<'w> {
    pub fn with_capacity(bytes: usize) -> Json<'w> {
        Json {
            out: Vec::with_capacity(bytes),
            ..Json::default()
        }
    }

    /// A writer that sends its output to `sink` as it goes.
    pub fn streaming(sink: &'w mut dyn Sink) -> Json<'w> {
        Json {
            out: Vec::with_capacity(FLUSH_AT + 4096),
            sink: Some(sink),
            ..Json::default()
        }
    }

    /// The document written so far (a streaming writer returns only what it
    /// has not sent yet).
    pub fn finish(self) -> String {
        // Every byte came from `&str`s and ASCII punctuation.
        String::from_utf8(self.out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into())
    }

    /// Append raw text (a final newline).
    pub fn raw(&mut self, text: &str) {
        self.out.extend_from_slice(text.as_bytes());
    }

    /// Send the rest to the sink; the total number of bytes written.
    pub fn close_stream(mut self) -> io::Result<u64> {
        self.flush();
        if let Some(sink) = self.sink.as_mut() {
            if self.error.is_none() {
                if let Err(e) = sink.done() {
                    self.error = Some(e);
                }
            }
        }
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.flushed),
        }
    }

    /// Hand the buffer to the sink once it is full (between elements, or
    /// before a replayed template).
    #[inline]
    fn flush_if_full(&mut self) {
        if self.out.len() >= FLUSH_AT && self.sink.is_some() {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let Some(sink) = self.sink.as_mut() else {
            return;
        };
        if self.error.is_none() {
            let n = self.out.len() as u64;
            match sink.send(&mut self.out) {
                Ok(()) => self.flushed += n,
                Err(e) => self.error = Some(e),
            }
        }
        self.out.clear();
    }

    /// A line break and the indentation, after a comma unless `fresh`.
    #[inline]
    fn line_break(&mut self, comma: bool) {
        let from = usize::from(!comma);
        let indent = self.depth * 2;
        if indent + 2 <= BREAK.len() {
            self.out.extend_from_slice(&BREAK[from..indent + 2]);
        } else {
            // Deeper than any stackc document; correct all the same.
            self.out.extend_from_slice(&BREAK[from..2]);
            self.out.resize(self.out.len() + indent, b' ');
        }
    }

    #[inline]
    fn newline(&mut self) {
        self.line_break(false);
    }

    /// Before any element of a container: the comma and the line break.
    #[inline]
    fn element(&mut self) {
        self.flush_if_full();
        let comma = !self.fresh;
        self.fresh = false;
        self.line_break(comma);
    }

    #[inline]
    fn open(&mut self, c: u8) {
        self.out.push(c);
        self.depth += 1;
        self.fresh = true;
        #[cfg(debug_assertions)]
        self.keys.push(None);
    }

    #[inline]
    fn close(&mut self, c: u8) {
        self.depth -= 1;
        if !self.fresh {
            self.newline();
        }
        self.fresh = false;
        self.out.push(c);
        #[cfg(debug_assertions)]
        self.keys.pop();
    }

    #[inline]
    pub fn begin_object(&mut self) {
        self.open(b'{');
    }

    #[inline]
    pub fn end_object(&mut self) {
        self.close(b'}');
    }

    #[inline]
    pub fn begin_array(&mut self) {
        self.open(b'[');
    }

    #[inline]
    pub fn end_array(&mut self) {
        self.close(b']');
    }

    /// The next array element starts here (before a scalar or a container).
    #[inline]
    pub fn item(&mut self) {
        self.element();
    }

    /// The next object member: its key, then the caller writes the value.
    #[inline]
    pub fn key(&mut self, k: &str) {
        #[cfg(debug_assertions)]
        self.check_order(k);
        self.element();
        self.string(k);
        self.out.extend_from_slice(b": ");
    }

    /// A member whose key is a name written in the source of stackc (no
    /// escaping needed; debug builds check it).
    #[inline]
    pub fn field(&mut self, k: &'static str) {
        #[cfg(debug_assertions)]
        {
            debug_assert!(!k.bytes().any(needs_care), "key `{k}` needs escaping");
            self.check_order(k);
        }
        self.element();
        self.out.push(b'"');
        self.out.extend_from_slice(k.as_bytes());
        self.out.extend_from_slice(b"\": ");
    }

    /// Debug builds: keys of one object must come in sorted order.
    #[cfg(debug_assertions)]
    fn check_order(&mut self, k: &str) {
        if let Some(last) = self.keys.last_mut() {
            if let Some(prev) = last.as_deref() {
                debug_assert!(prev < k, "JSON key `{k}` written after `{prev}`");
            }
            *last = Some(k.to_string());
        }
    }

    /// A JSON string, escaped the way serde_json escapes.
    #[inline]
    pub fn string(&mut self, s: &str) {
        self.out.push(b'"');
        escape_into(&mut self.out, s.as_bytes(), false);
        self.out.push(b'"');
    }

    /// A string Terraform reads literally: `${` and `%{` doubled, like
    /// [`super::escape::tf`], in the same pass as the JSON escaping.
    #[inline]
    pub fn tf_string(&mut self, s: &str) {
        self.out.push(b'"');
        escape_into(&mut self.out, s.as_bytes(), true);
        self.out.push(b'"');
    }

    /// A string written with `format_args!`, for text free of characters
    /// JSON or Terraform would escape (debug builds check it).
    pub fn raw_fmt(&mut self, args: std::fmt::Arguments<'_>) {
        use std::io::Write;
        self.out.push(b'"');
        let start = self.out.len();
        // Writing into a Vec cannot fail.
        let _ = self.out.write_fmt(args);
        debug_assert!(!self.out[start..].iter().copied().any(needs_care));
        self.out.push(b'"');
    }

    /// An address as a string, with `/prefix` when given. IPv4 is written
    /// octet by octet: `Display` through `format_args!` cost more than the
    /// rest of a VM's network settings.
    pub fn ip(&mut self, ip: std::net::IpAddr, prefix: Option<u8>) {
        match ip {
            std::net::IpAddr::V4(v4) => {
                self.out.push(b'"');
                let mut b = itoa::Buffer::new();
                for (i, octet) in v4.octets().into_iter().enumerate() {
                    if i > 0 {
                        self.out.push(b'.');
                    }
                    self.out.extend_from_slice(b.format(octet).as_bytes());
                }
                if let Some(p) = prefix {
                    self.out.push(b'/');
                    self.out.extend_from_slice(b.format(p).as_bytes());
                }
                self.out.push(b'"');
            }
            v6 => match prefix {
                Some(p) => self.raw_fmt(format_args!("{v6}/{p}")),
                None => self.raw_fmt(format_args!("{v6}")),
            },
        }
    }

    #[inline]
    pub fn u64(&mut self, n: u64) {
        self.out
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    #[inline]
    pub fn bool(&mut self, b: bool) {
        self.out
            .extend_from_slice(if b { b"true" } else { b"false" });
    }

    #[inline]
    pub fn null(&mut self) {
        self.out.extend_from_slice(b"null");
    }

    /// A whole `serde_json::Value` (small parts of the document are still
    /// built as values; their maps are sorted already).
    pub fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.null(),
            Value::Bool(b) => self.bool(*b),
            Value::Number(n) => self.out.extend_from_slice(n.to_string().as_bytes()),
            Value::String(s) => self.string(s),
            Value::Array(items) => {
                self.begin_array();
                for i in items {
                    self.item();
                    self.value(i);
                }
                self.end_array();
            }
            Value::Object(map) => {
                self.begin_object();
                for (k, v) in map {
                    self.key(k);
                    self.value(v);
                }
                self.end_object();
            }
        }
    }

    /// The start of a string that [`Json::string_end`] finishes, with
    /// [`Json::string_more`] between: a template can then hold the fixed
    /// text of a string and a value the rest. `tf`: escaped for Terraform,
    /// like [`Json::tf_string`].
    #[inline]
    pub fn string_start(&mut self, s: &str, tf: bool) {
        self.out.push(b'"');
        escape_into(&mut self.out, s.as_bytes(), tf);
    }

    /// More of a string begun with [`Json::string_start`] (numbers go in
    /// with [`Json::u64`]).
    #[inline]
    pub fn string_more(&mut self, s: &str, tf: bool) {
        // A `$` or `%` that ended the last part is doubled if `{` follows,
        // as it would be in one string (escaping never ends in either).
        if tf && s.starts_with('{') {
            if let Some(&b @ (b'$' | b'%')) = self.out.last() {
                self.out.push(b);
            }
        }
        escape_into(&mut self.out, s.as_bytes(), tf);
    }

    /// The end of a string begun with [`Json::string_start`].
    #[inline]
    pub fn string_end(&mut self, s: &str, tf: bool) {
        self.string_more(s, tf);
        self.out.push(b'"');
    }

    /// `"key": value` for a string member (a common case, one call).
    #[inline]
    pub fn str_member(&mut self, k: &'static str, v: &str) {
        self.field(k);
        self.string(v);
    }
}

/// Bytes that JSON or Terraform's template syntax treats specially.
fn needs_care(b: u8) -> bool {
    CARE[b as usize]
}

/// `needs_care` as a table: the scan below looks up one byte at a time.
static CARE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = i < 0x20 || matches!(i as u8, b'"' | b'\\' | b'$' | b'%');
        i += 1;
    }
    t
};

fn escape_into(out: &mut Vec<u8>, s: &[u8], template: bool) {
    let mut start = 0;
    loop {
        // Most strings have nothing to escape: find the next byte that may.
        let Some(off) = s[start..].iter().position(|&b| CARE[b as usize]) else {
            out.extend_from_slice(&s[start..]);
            return;
        };
        let i = start + off;
        let b = s[i];
        out.extend_from_slice(&s[start..i]);
        start = i + 1;
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0..=0x1f => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 0xf) as usize]);
            }
            // `${` and `%{` are doubled in strings Terraform reads.
            b'$' | b'%' if template && s.get(i + 1) == Some(&b'{') => {
                out.push(b);
                out.push(b);
            }
            _ => out.push(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::escape::tf;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn a_stream_writes_the_same_bytes() {
        let v = json!({ "a": (0..100_000).map(|i| json!({ "i": i, "s": "x".repeat(i % 7) })).collect::<Vec<_>>() });
        let mut sink: Vec<u8> = Vec::new();
        let mut j = Json::streaming(&mut sink);
        j.value(&v);
        j.raw("\n");
        let n = j.close_stream().unwrap();
        assert!(
            sink.len() > FLUSH_AT * 2,
            "the test crosses several flushes"
        );
        assert_eq!(n, sink.len() as u64);
        assert_eq!(
            String::from_utf8(sink).unwrap(),
            serde_json::to_string_pretty(&v).unwrap() + "\n"
        );
    }

    fn written(v: &Value) -> String {
        let mut j = Json::default();
        j.value(v);
        j.finish()
    }

    #[test]
    fn same_bytes_as_serde_json_pretty() {
        let v = json!({
            "//": "from x.stack:1",
            "a": [],
            "b": {},
            "c": [1, true, null, "s", {"k": [ {"x": "y"} ]}],
            "d": {"e": {"f": "\u{1}\u{7f}é\"\\\n\t\u{8}\u{c}\r"}},
        });
        assert_eq!(written(&v), serde_json::to_string_pretty(&v).unwrap());
    }

    #[test]
    fn addresses_are_written_like_display() {
        for (ip, prefix) in [
            ("10.0.0.1", None),
            ("255.1.0.99", Some(16)),
            ("fd00::1", Some(64)),
            ("::", None),
        ] {
            let ip: std::net::IpAddr = ip.parse().unwrap();
            let mut j = Json::default();
            j.ip(ip, prefix);
            let want = match prefix {
                Some(p) => format!("\"{ip}/{p}\""),
                None => format!("\"{ip}\""),
            };
            assert_eq!(j.finish(), want);
        }
    }

    #[test]
    fn deep_nesting_indents_past_the_table() {
        let mut v = json!("leaf");
        for _ in 0..200 {
            v = json!([{ "k": v }]);
        }
        assert_eq!(written(&v), serde_json::to_string_pretty(&v).unwrap());
    }

    #[test]
    fn terraform_templates_are_doubled_like_tf() {
        for s in [
            "${x}", "%{ if }", "$${a}", "$", "%", "a$", "{$}", "$%{", "\"${\\n",
        ] {
            let mut j = Json::default();
            j.tf_string(s);
            assert_eq!(j.finish(), serde_json::to_string(&tf(s)).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn a_string_in_parts_is_escaped_as_one() {
        let parts = ["a$", "{b", "%", "{", "\"x\n", "", "$", "${"];
        for tf_ in [false, true] {
            for split in 0..parts.len() {
                let mut j = Json::default();
                j.string_start(&parts[..split].concat(), tf_);
                for p in &parts[split..] {
                    j.string_more(p, tf_);
                }
                j.string_end("", tf_);
                let whole = parts.concat();
                let mut want = Json::default();
                if tf_ {
                    want.tf_string(&whole);
                } else {
                    want.string(&whole);
                }
                assert_eq!(j.finish(), want.finish(), "tf {tf_}, split at {split}");
            }
        }
    }

    #[test]
    #[should_panic(expected = "written after")]
    #[cfg(debug_assertions)]
    fn keys_out_of_order_are_caught() {
        let mut j = Json::default();
        j.begin_object();
        j.str_member("b", "1");
        j.str_member("a", "2");
    }

    proptest! {
        #[test]
        fn any_string_escapes_like_serde_json(s in any::<String>()) {
            let mut j = Json::default();
            j.string(&s);
            prop_assert_eq!(j.finish(), serde_json::to_string(&s).unwrap());
            let mut j = Json::default();
            j.tf_string(&s);
            prop_assert_eq!(j.finish(), serde_json::to_string(&tf(&s)).unwrap());
        }
    }
}
