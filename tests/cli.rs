//! The command line as users and tools see it: exit statuses, formats,
//! `--deny warnings`, `fmt --check`.
#![allow(clippy::unwrap_used)]

mod common;

use common::stackc;

use common::root;

fn tmp_stack(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lab.stack");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn exit_status_is_0_1_2() {
    let ok = stackc()
        .current_dir(root())
        .args(["check", "examples/ha-platform.stack"])
        .output()
        .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let bad = stackc()
        .current_dir(root())
        .args(["check", "tests/ui/literals/bad-ipv4.stack"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let missing = stackc()
        .args(["check", "/nonexistent/lab.stack"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let usage = stackc()
        .args(["check", "x.stack", "--format", "xml"])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn deny_warnings_fails_on_a_warning() {
    let case = "tests/ui/allow/unused-allow.stack";
    let warn = stackc()
        .current_dir(root())
        .args(["check", case])
        .output()
        .unwrap();
    assert_eq!(warn.status.code(), Some(0));
    let deny = stackc()
        .current_dir(root())
        .args(["check", case, "--deny", "warnings"])
        .output()
        .unwrap();
    assert_eq!(deny.status.code(), Some(1));
}

#[test]
fn human_output_is_plain_when_piped() {
    let out = stackc()
        .current_dir(root())
        .args(["check", "tests/ui/literals/bad-ipv4.stack"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("E0102(bad-literal)") && err.contains("300 is above 255"),
        "{err}"
    );
    assert!(
        !err.contains('\u{1b}'),
        "no colour codes when not a terminal"
    );
}

#[test]
fn json_has_the_documented_shape_with_character_columns() {
    // `é` and `ü` before the bad literal are two bytes each: columns count characters.
    let (_d, path) = tmp_stack("site \"é\" { domain = \"ü\" }\nnetwork \"k8s\" { cidr = 10.1.1.0/24  gateway = 10.1.1.300 }\n# ééé\n");
    let out = stackc()
        .args(["check", path.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["errors"], 1);
    assert_eq!(doc["warnings"], 0);
    let d = &doc["diagnostics"][0];
    for key in [
        "code",
        "slug",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "labels",
        "help",
    ] {
        assert!(d.get(key).is_some(), "missing {key} in {d}");
    }
    assert_eq!(d["code"], "E0102");
    assert_eq!(d["slug"], "bad-literal");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["line"], 2);
    assert_eq!(d["column"], 47);
    assert_eq!(d["end_column"], 57);
    assert_eq!(d["labels"][0]["line"], 2);
    assert!(d["file"].as_str().unwrap().ends_with("lab.stack"));

    // A multi-byte character earlier on the same line.
    let (_d2, p2) = tmp_stack("site \"lab\" { domain = \"ééé\"  timezone = 10.1.1.300 }\n");
    let out = stackc()
        .args(["check", p2.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let col = doc["diagnostics"][0]["column"].as_u64().unwrap();
    let expected = "site \"lab\" { domain = \"ééé\"  timezone = "
        .chars()
        .count() as u64
        + 1;
    assert_eq!(col, expected);
}

#[test]
fn json_on_a_clean_stack_is_empty() {
    let out = stackc()
        .current_dir(root())
        .args(["check", "examples/ha-platform.stack", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc,
        serde_json::json!({"diagnostics": [], "errors": 0, "warnings": 0})
    );
}

#[test]
fn sarif_is_2_1_0_with_rules_and_results() {
    let out = stackc()
        .current_dir(root())
        .args([
            "check",
            "tests/ui/names/duplicate-block.stack",
            "--format",
            "sarif",
        ])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "stackc");
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        stackc::diag::codes::ALL.len()
    );
    let r = &run["results"][0];
    assert_eq!(r["ruleId"], "E0201");
    assert_eq!(r["level"], "error");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert_eq!(
        r["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
}

#[test]
fn formats_render_one_fixture_the_same_way() {
    let fixture = "tests/ui/names/ip-list-length.stack";
    for format in ["human", "json", "sarif", "github"] {
        let out = stackc()
            .current_dir(root())
            .args(["check", fixture, "--format", format])
            .output()
            .unwrap();
        let text = if format == "human" {
            out.stderr
        } else {
            out.stdout
        };
        let settings = common::snapshots("formats", None);
        settings.bind(|| {
            insta::assert_snapshot!(
                format!("ip-list-length.{format}"),
                String::from_utf8(text).unwrap()
            )
        });
    }
}

#[test]
fn fmt_check_and_write() {
    let (_d, path) = tmp_stack("site   \"lab\"{domain=\"x\" # why\ntimezone = \"UTC\"}\n");
    let p = path.to_str().unwrap();
    let check = stackc().args(["fmt", "--check", p]).output().unwrap();
    assert_eq!(check.status.code(), Some(1));
    let write = stackc().args(["fmt", p]).output().unwrap();
    assert_eq!(write.status.code(), Some(0));
    let formatted = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        formatted,
        "site \"lab\" {\n  domain   = \"x\"  # why\n  timezone = \"UTC\"\n}\n"
    );
    let again = stackc().args(["fmt", "--check", p]).output().unwrap();
    assert_eq!(again.status.code(), Some(0));
    let (_d2, broken) = tmp_stack("site \"lab\" {\n");
    let out = stackc()
        .args(["fmt", broken.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "site \"lab\" {\n",
        "a file that does not parse is left alone"
    );
}

#[test]
fn debug_ir_dumps_yaml() {
    let out = stackc()
        .current_dir(root())
        .args(["debug", "ir", "examples/ha-platform.stack"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("name: master-3") && text.contains("ip: 10.1.1.13"),
        "{text}"
    );
}

#[test]
fn profile_changes_the_result() {
    let case = "tests/ui/profiles/profile-ok.stack";
    let out = stackc()
        .current_dir(root())
        .args(["debug", "ir", case, "--profile", "arm"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("arch: arm64")
            && text.contains("version: 1.30.0")
            && text.contains("os: debian-12"),
        "{text}"
    );
}
