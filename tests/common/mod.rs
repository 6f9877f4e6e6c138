//! Shared helpers for the end-to-end tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// The header of a UI case: `# expect = ["E0101"]` and optional `# args = [...]`.
pub struct Case {
    pub expect: Vec<String>,
    pub args: Vec<String>,
}

pub fn header(text: &str) -> Case {
    let mut case = Case {
        expect: Vec::new(),
        args: Vec::new(),
    };
    let mut found = false;
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        let line = line.trim_start_matches('#').trim();
        if let Some(v) = line.strip_prefix("expect =") {
            case.expect = serde_json::from_str(v.trim()).expect("expect header is a JSON list");
            found = true;
        } else if let Some(v) = line.strip_prefix("args =") {
            case.args = serde_json::from_str(v.trim()).expect("args header is a JSON list");
        }
    }
    assert!(found, "a UI case starts with `# expect = [...]`");
    case
}

/// Every `.stack` file under `dir`, sorted, skipping folders starting with `_`.
pub fn stack_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if p.is_dir() && !name.starts_with('_') {
                stack.push(p);
            } else if name.ends_with(".stack") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Options and `--deny warnings` from a case's args.
pub fn options(args: &[String]) -> (stackc::lower::Options, bool) {
    let mut opts = stackc::lower::Options::default();
    let mut deny = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--profile" => opts.profile = it.next().cloned(),
            "--allow-outside" => opts.allow_outside = true,
            "--deny" => deny = it.next().map(String::as_str) == Some("warnings"),
            other => panic!("unknown arg {other} in a UI header"),
        }
    }
    (opts, deny)
}

/// The path relative to the crate root, with `/` separators (stable in snapshots).
pub fn rel(p: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The stackc binary built for this test run.
pub fn stackc() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_stackc"))
}

/// Whether an external tool is on PATH. When it is not, the caller skips
/// with a message, unless STACKC_REQUIRE_TOOLS=1 (set by `.ci/run`) makes
/// every such skip a failure.
pub fn tool_available(tool: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {tool} >/dev/null 2>&1")])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !found {
        let msg = format!(
            "`{tool}` is not installed: skipping the checks that need it (.ci/run installs it)"
        );
        assert!(
            std::env::var("STACKC_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "{msg}, and STACKC_REQUIRE_TOOLS=1 forbids skipping"
        );
        eprintln!("SKIPPED: {msg}");
    }
    found
}

/// Compile and build a stack into `dir` the way `stackc build` does
/// (`main.tf.json` streamed to disk, the backends on two threads),
/// panicking with the diagnostics on failure. The returned files are read
/// back from disk, so snapshots and judges see what `build` wrote; they
/// must equal what `emit` holds in memory, with the sizes `build` reports.
pub fn build_into(stack: &Path, dir: &Path) -> stackc::backend::Output {
    let c = stackc::compile(stack, &Default::default(), false);
    let fail = |d: &[stackc::diag::Diagnostic]| -> ! {
        panic!(
            "{}: {}",
            stack.display(),
            stackc::diag::render::human::render(&c.sources, d, false)
        )
    };
    let built = match stackc::build(&c, stackc::Only::All, dir) {
        Ok(built) => built,
        Err(stackc::backend::build::BuildError::Input(d)) => fail(&d),
        Err(stackc::backend::build::BuildError::Io(e)) => panic!("{}: {e}", dir.display()),
    };
    let in_memory = stackc::emit(&c, stackc::Only::All).unwrap_or_else(|d| fail(&d));
    let mut out = stackc::backend::Output {
        resources: built.resources,
        ..Default::default()
    };
    for (path, bytes) in built.files {
        let text = std::fs::read_to_string(dir.join(&path)).unwrap();
        assert_eq!(bytes, text.len() as u64, "the reported size is {path}'s");
        out.files.insert(path, text);
    }
    let differ: Vec<&String> = (in_memory.files.keys())
        .chain(out.files.keys())
        .filter(|p| out.files.get(*p) != in_memory.files.get(*p))
        .collect();
    assert!(differ.is_empty(), "build and emit differ in {differ:?}");
    assert_eq!(out.resources, in_memory.resources);
    out
}

pub fn judges() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/judges/tools")
}

/// The crate root (tests run from anywhere; paths in snapshots are relative to it).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `examples/*.stack`, as paths relative to the crate root, with the
/// working directory set there.
pub fn examples() -> Vec<PathBuf> {
    std::env::set_current_dir(root()).unwrap();
    let files: Vec<PathBuf> = stack_files(&root().join("examples"))
        .iter()
        .map(|p| PathBuf::from(rel(p)))
        .collect();
    assert!(files.len() >= 5, "one example per seed design");
    files
}

/// insta settings for snapshots under `snapshots/<dir>`, named by the test
/// (no module prefix, no expression), bound to `input` when given.
pub fn snapshots(dir: &str, input: Option<&Path>) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots").join(dir));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    if let Some(p) = input {
        settings.set_input_file(p);
    }
    settings
}
