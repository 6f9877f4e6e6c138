//! Compile and emit every backend for arbitrary input, and write the output
//! into a temporary directory: never a panic, never a path outside it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let c = stackc::compile_str("fuzz.stack", text, &Default::default(), false);
    if let Ok(out) = stackc::emit(&c, stackc::Only::All) {
        let dir = std::env::temp_dir().join(format!("stackc-fuzz-{}", std::process::id()));
        let target = dir.join("out");
        let _ = stackc::backend::write::write_atomic(&target, &out);
        for rel in out.files.keys() {
            assert!(!rel.contains(".."), "a path leaves the output directory: {rel}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
});
