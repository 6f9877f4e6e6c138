//! A streaming JSON writer for large outputs. `main.tf.json` for a fleet
//! is tens of megabytes; building it as a `serde_json::Value` tree first
//! cost five times the writing itself (see the book's architecture page).
//!
//! The bytes are exactly those of `serde_json::to_string_pretty` on the
//! same data with sorted keys: two-space indent, `": "` after keys, `{}`
//! and `[]` for empty containers. Callers write object keys in sorted
//! order; debug builds assert it, so a test run catches a key out of place.

use serde_json::Value;

/// Spaces for indentation, sliced instead of written two at a time.
const SPACES: &[u8; 256] = &[b' '; 256];

#[derive(Default)]
pub struct Json {
    out: Vec<u8>,
    depth: usize,
    /// The container just opened has no element yet.
    fresh: bool,
    /// The last key written at each open object (debug builds only).
    #[cfg(debug_assertions)]
    keys: Vec<Option<String>>,
}

impl Json {
    pub fn with_capacity(bytes: usize) -> Json {
        Json {
            out: Vec::with_capacity(bytes),
            ..Json::default()
        }
    }

    /// The document written so far.
    pub fn finish(self) -> String {
        // Every byte came from `&str`s and ASCII punctuation.
        String::from_utf8(self.out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into())
    }

    fn newline(&mut self) {
        self.out.push(b'\n');
        let mut n = self.depth * 2;
        while n > 0 {
            let k = n.min(SPACES.len());
            self.out.extend_from_slice(&SPACES[..k]);
            n -= k;
        }
    }

    /// Before any element of a container: the comma and the line break.
    fn element(&mut self) {
        if !self.fresh {
            self.out.push(b',');
        }
        self.fresh = false;
        self.newline();
    }

    fn open(&mut self, c: u8) {
        self.out.push(c);
        self.depth += 1;
        self.fresh = true;
    }

    fn close(&mut self, c: u8) {
        self.depth -= 1;
        if !self.fresh {
            self.newline();
        }
        self.fresh = false;
        self.out.push(c);
    }

    pub fn begin_object(&mut self) {
        self.open(b'{');
        #[cfg(debug_assertions)]
        self.keys.push(None);
    }

    pub fn end_object(&mut self) {
        self.close(b'}');
        #[cfg(debug_assertions)]
        self.keys.pop();
    }

    pub fn begin_array(&mut self) {
        self.open(b'[');
        #[cfg(debug_assertions)]
        self.keys.push(None);
    }

    pub fn end_array(&mut self) {
        self.close(b']');
        #[cfg(debug_assertions)]
        self.keys.pop();
    }

    /// The next array element starts here (before a scalar or a container).
    pub fn item(&mut self) {
        self.element();
    }

    /// The next object member: its key, then the caller writes the value.
    pub fn key(&mut self, k: &str) {
        #[cfg(debug_assertions)]
        if let Some(last) = self.keys.last_mut() {
            if let Some(prev) = last.as_deref() {
                debug_assert!(prev < k, "JSON key `{k}` written after `{prev}`");
            }
            *last = Some(k.to_string());
        }
        self.element();
        self.string(k);
        self.out.extend_from_slice(b": ");
    }

    /// A JSON string, escaped the way serde_json escapes.
    pub fn string(&mut self, s: &str) {
        self.out.push(b'"');
        escape_into(&mut self.out, s.as_bytes(), false);
        self.out.push(b'"');
    }

    /// A string Terraform reads literally: `${` and `%{` doubled, like
    /// [`super::escape::tf`], in the same pass as the JSON escaping.
    pub fn tf_string(&mut self, s: &str) {
        self.out.push(b'"');
        escape_into(&mut self.out, s.as_bytes(), true);
        self.out.push(b'"');
    }

    /// A string from pieces already free of characters JSON or Terraform
    /// would escape (numbers, addresses, identifiers).
    pub fn raw_string(&mut self, pieces: &[&str]) {
        self.out.push(b'"');
        for p in pieces {
            debug_assert!(!p.bytes().any(needs_care), "raw piece `{p}` needs escaping");
            self.out.extend_from_slice(p.as_bytes());
        }
        self.out.push(b'"');
    }

    /// A string written with `format_args!` (no escaping: see [`Json::raw_string`]).
    pub fn raw_fmt(&mut self, args: std::fmt::Arguments<'_>) {
        use std::io::Write;
        self.out.push(b'"');
        let start = self.out.len();
        // Writing into a Vec cannot fail.
        let _ = self.out.write_fmt(args);
        debug_assert!(!self.out[start..].iter().copied().any(needs_care));
        self.out.push(b'"');
    }

    pub fn u64(&mut self, n: u64) {
        self.out
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    pub fn bool(&mut self, b: bool) {
        self.out
            .extend_from_slice(if b { b"true" } else { b"false" });
    }

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

    /// `"key": value` for a string member (a common case, one call).
    pub fn str_member(&mut self, k: &str, v: &str) {
        self.key(k);
        self.string(v);
    }
}

/// Bytes that JSON or Terraform's template syntax treats specially.
fn needs_care(b: u8) -> bool {
    b < 0x20 || matches!(b, b'"' | b'\\' | b'$' | b'%')
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
