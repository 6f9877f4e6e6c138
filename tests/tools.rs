//! The tool around the compiler: graph pictures, init, completions, man.
#![allow(clippy::unwrap_used)]

mod common;

use common::root;

#[test]
fn graphs_are_snapshotted_in_every_format() {
    for example in ["ha-platform", "autostack"] {
        for view in ["topology", "order"] {
            for format in ["dot", "mermaid", "svg"] {
                let out = common::stackc()
                    .current_dir(root())
                    .args([
                        "graph",
                        &format!("examples/{example}.stack"),
                        "--view",
                        view,
                        "--format",
                        format,
                    ])
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let text = String::from_utf8(out.stdout).unwrap();
                match format {
                    "svg" => assert!(text.contains("<svg") && text.trim_end().ends_with("</svg>")),
                    "dot" => assert!(text.starts_with("digraph")),
                    _ => assert!(text.starts_with("flowchart LR")),
                }
                let settings = common::snapshots("graphs", None);
                settings
                    .bind(|| insta::assert_snapshot!(format!("{example}.{view}.{format}"), text));
            }
        }
    }
}

#[test]
fn the_topology_shows_what_the_seed_documents_draw_by_hand() {
    let out = common::stackc()
        .current_dir(root())
        .args(["graph", "examples/ha-platform.stack", "--format", "dot"])
        .output()
        .unwrap();
    let dot = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "10.1.1.0/24",
        "haproxy",
        "node_haproxy -> node_master_1 [label=\"API :6443\"]",
        "hv_pve -> node_worker_10",
        "bare metal",
    ] {
        assert!(dot.contains(needle), "missing {needle:?} in\n{dot}");
    }
}

#[test]
fn init_writes_a_starter_that_checks_and_builds() {
    let dir = tempfile::tempdir().unwrap();
    let st = common::stackc()
        .args(["init"])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(st.success());
    let stack = dir.path().join("homelab.stack");
    let check = common::stackc().arg("check").arg(&stack).output().unwrap();
    assert!(
        check.status.success() && check.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let out = dir.path().join("out");
    let build = common::stackc()
        .arg("build")
        .arg(&stack)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    assert!(out.join("terraform/main.tf.json").is_file() && out.join("ansible/site.yml").is_file());
    if common::tool_available("python3") {
        let st = std::process::Command::new("python3")
            .arg(common::judges().join("tfjson-check"))
            .arg(out.join("terraform"))
            .status()
            .unwrap();
        assert!(st.success());
    }
    // Never overwrites.
    let again = common::stackc()
        .args(["init"])
        .arg(dir.path())
        .status()
        .unwrap();
    assert_eq!(again.code(), Some(2));
}

#[test]
fn completions_and_man_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let out = common::stackc()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("stackc"));
    }
    let man = common::stackc().arg("man").output().unwrap();
    let text = String::from_utf8(man.stdout).unwrap();
    assert!(text.contains(".TH stackc") && text.contains("build"));
}

#[test]
fn build_reports_what_it_wrote_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::stackc()
        .current_dir(root())
        .args([
            "build",
            "examples/autostack.stack",
            "--format",
            "json",
            "-o",
        ])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["terraform"]["resources"]["proxmox"], 9);
    assert_eq!(doc["ansible"]["groups"]["control_plane"], 3);
    assert!(doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["path"] == "ansible/site.yml"));
}

#[test]
fn an_empty_stack_draws_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let stack = dir.path().join("empty.stack");
    std::fs::write(&stack, "").unwrap();
    for view in ["topology", "order"] {
        for format in ["dot", "mermaid", "svg"] {
            let out = common::stackc()
                .arg("graph")
                .arg(&stack)
                .args(["--view", view, "--format", format])
                .output()
                .unwrap();
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "{view} {format}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
