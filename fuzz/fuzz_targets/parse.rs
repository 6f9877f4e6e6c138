//! The parser and the formatter on arbitrary input: never a panic; the fast
//! parser and the pest reference agree (same AST, spans, comments and
//! diagnostics; same accept/reject); when the input parses, formatting is
//! idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stackc::span::FileId;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(why) = stackc::syntax::parsers_disagree(text) {
        panic!("the parsers disagree: {why}");
    }
    if let Ok(once) = stackc::fmt::format_source(text, FileId(0)) {
        let twice = stackc::fmt::format_source(&once, FileId(0)).expect("formatted output parses");
        assert_eq!(once, twice, "fmt is not idempotent");
    }
});
