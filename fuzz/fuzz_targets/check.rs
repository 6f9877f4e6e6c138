//! The whole front end (parse, lower, every check, every renderer) on
//! arbitrary input: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let c = stackc::compile_str("fuzz.stack", text, &Default::default(), false);
    let _ = stackc::diag::render::human::render(&c.sources, &c.diagnostics, false);
    let _ = stackc::diag::render::json::render(&c.sources, &c.diagnostics);
});
