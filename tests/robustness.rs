//! Hostile inputs: each gives a diagnostic or a clean result, never a
//! crash, a stack overflow or a hang.
#![allow(clippy::unwrap_used)]

use stackc::lower::Options;

fn codes(text: &str) -> Vec<&'static str> {
    let c = stackc::compile_str("hostile.stack", text, &Options::default(), false);
    c.diagnostics.iter().map(|d| d.code.code).collect()
}

#[test]
fn nesting_ten_thousand_levels_deep_is_a_diagnostic() {
    let n = 10_000;
    let lists = format!("site \"x\" {{ a = {}{} }}", "[".repeat(n), "]".repeat(n));
    let objects = format!(
        "site \"x\" {{ a = {}{} }}",
        "{ a = ".repeat(n),
        "}".repeat(n)
    );
    let blocks = format!("{}{}", "site \"x\" { ".repeat(n), "}".repeat(n));
    let interpolations = format!(
        "site \"x\" {{ a = {}1{} }}",
        "\"${".repeat(n),
        "}\"".repeat(n)
    );
    let calls = format!(
        "site \"x\" {{ a = {}1{} }}",
        "env(".repeat(n),
        ")".repeat(n)
    );
    for text in [lists, objects, blocks, interpolations, calls] {
        assert_eq!(codes(&text), ["E0101"], "{}", &text[..60]);
    }
}

#[test]
fn nesting_at_the_limit_parses() {
    let depth = stackc::syntax::MAX_DEPTH - 2;
    let text = format!("site \"x\" {{ domain = \"d\" }}\nchart \"c\" {{ repo = \"r\"  version = \"1\"  values = {{ a = {}1{} }} }}", "[".repeat(depth), "]".repeat(depth));
    // Run on a thread with a small stack, as an editor plugin might.
    let handle = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || codes(&text))
        .unwrap();
    // The values parse and lower (the lone chart wants a cluster: E0404).
    assert_eq!(handle.join().unwrap(), ["E0404"]);
}

#[test]
fn a_50_mb_file_is_handled() {
    let mut text = String::with_capacity(51 << 20);
    text.push_str("site \"big\" { domain = \"home.arpa\" }\n");
    let line = "# padding padding padding padding padding padding padding padding padding\n";
    while text.len() < 50 << 20 {
        text.push_str(line);
    }
    text.push_str("network \"k8s\" { cidr = 10.1.1.0/24 }\n");
    assert!(text.len() >= 50 << 20);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.stack");
    std::fs::write(&path, &text).unwrap();
    let c = stackc::compile(&path, &Options::default(), false);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(c.ir.unwrap().networks.len(), 1);
}

#[test]
fn invalid_utf8_is_a_syntax_diagnostic_at_the_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bin.stack");
    std::fs::write(&path, b"site \"x\" { domain = \"\xff\xfe\" }").unwrap();
    let c = stackc::compile(&path, &Options::default(), false);
    assert_eq!(c.diagnostics.len(), 1);
    assert_eq!(c.diagnostics[0].code.code, "E0101");
    assert_eq!(c.diagnostics[0].primary.span.start, 21);
}

#[test]
fn empty_and_whitespace_files_are_clean() {
    for text in [
        "",
        "\n\n",
        "   ",
        "# only a comment",
        "/* unterminated? no: */",
    ] {
        assert_eq!(codes(text), Vec::<&str>::new(), "{text:?}");
    }
    assert_eq!(codes("/* unterminated"), ["E0101"]);
}

#[test]
fn a_file_importing_itself_is_e0205() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("me.stack");
    std::fs::write(&path, "import \"./me.stack\"\n").unwrap();
    let c = stackc::compile(&path, &Options::default(), false);
    let codes: Vec<_> = c.diagnostics.iter().map(|d| d.code.code).collect();
    assert_eq!(codes, ["E0205"]);
}

#[test]
fn an_absurd_count_is_a_diagnostic_not_an_allocation() {
    let text = "network \"k8s\" { cidr = 10.0.0.0/8 }\nnode \"w\" {\n  count = 10000000000\n  roles = [worker]\n}\n";
    assert_eq!(codes(text), ["E0204"]);
}

#[test]
fn consecutive_ips_past_the_address_space_are_e0306() {
    let text = "network \"k8s\" { cidr = 255.255.255.0/24 }\nnode \"w\" {\n  count = 10\n  roles = [worker]\n  ip = 255.255.255.250\n}\n";
    assert_eq!(codes(text), ["E0306"]);
}

#[test]
fn long_import_chains_stop_at_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let n = stackc::lower::imports::MAX_IMPORT_DEPTH + 5;
    for i in 0..n {
        std::fs::write(
            dir.path().join(format!("f{i}.stack")),
            format!("import \"./f{}.stack\"\n", i + 1),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join(format!("f{n}.stack")), "").unwrap();
    let c = stackc::compile(&dir.path().join("f0.stack"), &Options::default(), false);
    let codes: Vec<_> = c.diagnostics.iter().map(|d| d.code.code).collect();
    assert_eq!(codes, ["E0205"]);
}

/// Found by the `parse` fuzz target: a comment holding the byte the
/// formatter used as its alignment marker made `fmt` not idempotent.
#[test]
fn fmt_is_idempotent_with_control_bytes_in_comments() {
    let text = "# expect = [\u{1}\0\0 2kubernetes = version = 1.\0\u{1}\0 31.0 }\nsite \"x\" { domain = \"a\"  # b\u{1}c\n}\n";
    let once = formatted_twice_the_same(text);
    assert!(once.contains("# b\u{1}c"), "the comment is kept as written");
}

/// Found by the `parse` fuzz target: a comment between an attribute's name
/// and its `=` moved above the next attribute, which then no longer aligned
/// with it on the second pass.
#[test]
fn fmt_is_idempotent_with_a_comment_before_the_equals_sign() {
    let text = "network \"k8s\" {\n  roles# ex-1.0 }  \n= [worker]  \nnetwork = network.k8s\n}\n";
    let once = formatted_twice_the_same(text);
    assert!(once.contains("# ex-1.0 }"), "the comment is kept");
}

/// Found by `check_never_panics_on_mutated_examples`: a comment between a
/// name and its `=`, on the line of the attribute before, becomes that
/// attribute's trailing comment and must not break the `=` run.
#[test]
fn fmt_is_idempotent_when_a_comment_before_the_equals_sign_trails_the_line_before() {
    let text = "k {\n  a     = 1\n  np = true pod_cidr           # c1\n           = 5  # c2\n  service_cidr     = 7\n}\n";
    let once = formatted_twice_the_same(text);
    assert!(once.contains("np           = true  # c1"), "{once}");
}

/// Found by `check_never_panics_on_mutated_examples`: a block written on one
/// line with a nested block inside is printed on several lines, so it does
/// not group with its one-line neighbours (the next pass would part them).
#[test]
fn fmt_is_idempotent_with_a_nested_block_written_on_one_line() {
    let text = "addon \"traefik\" { replicas = 2 }\n# c\naddon \"kps\" { grafana { node_port = 30000 } }\naddon \"loki\" {}\n";
    let once = formatted_twice_the_same(text);
    assert!(
        once.contains("replicas = 2 }\n\n# c\naddon \"kps\" {\n"),
        "{once}"
    );
}

/// A reader that closes stdout early (`stackc explain E0302 | head -1`)
/// ends the process quietly, as it does any Unix tool; no panic message.
#[test]
fn a_closed_stdout_is_not_a_panic() {
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::process::{Command, Stdio};
    for args in [&["explain", "E0302"][..], &["completions", "bash"][..]] {
        // A pipe whose read end is closed before the child starts: its
        // first write meets no reader, whatever the timing.
        let mut fds = [0; 2];
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        drop(unsafe { OwnedFd::from_raw_fd(fds[0]) });
        let write_end = unsafe { OwnedFd::from_raw_fd(fds[1]) };
        let out = Command::new(env!("CARGO_BIN_EXE_stackc"))
            .args(args)
            .stdout(Stdio::from(write_end))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

/// `fmt` of `text`, asserting that formatting the result changes nothing.
fn formatted_twice_the_same(text: &str) -> String {
    let once = stackc::fmt::format_source(text, stackc::span::FileId(0)).unwrap();
    let twice = stackc::fmt::format_source(&once, stackc::span::FileId(0)).unwrap();
    assert_eq!(once, twice);
    once
}
