//! `stackc build FILE [-o DIR]`: compile, emit, and replace the output
//! directory atomically. An input with errors leaves the previous output
//! untouched.

use super::{BuildArgs, BuildFormat, Deny, OnlyArg, FAILURE, INPUT_ERRORS, OK};
use crate::backend::build::{BuildError, Built};
use crate::diag::render;

pub fn run(args: &BuildArgs) -> i32 {
    let c = match super::compile_file(
        &args.file,
        &args.profile,
        args.allow_outside,
        args.deny == Some(Deny::Warnings),
    ) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let color = args.color.enabled();
    eprint!(
        "{}",
        render::human::render(&c.sources, &c.diagnostics, color)
    );
    let only = match args.only {
        Some(OnlyArg::Terraform) => crate::Only::Terraform,
        Some(OnlyArg::Ansible) => crate::Only::Ansible,
        None => crate::Only::All,
    };
    let built = match crate::build(&c, only, &args.output) {
        Ok(built) => built,
        Err(BuildError::Input(diags)) => {
            if !diags.iter().all(|d| c.diagnostics.contains(d)) {
                eprint!("{}", render::human::render(&c.sources, &diags, color));
            }
            eprintln!(
                "error: nothing written; `{}` is unchanged",
                args.output.display()
            );
            return INPUT_ERRORS;
        }
        Err(BuildError::Io(e)) => {
            eprintln!(
                "error: cannot write `{}`: {e}; it is unchanged",
                args.output.display()
            );
            return FAILURE;
        }
    };
    let summary = summary(&built);
    if args.format == BuildFormat::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&summary).unwrap_or_default()
        );
    } else {
        eprint!("{}", human(&summary, &args.output));
    }
    OK
}

/// What a build produced: files, Terraform resources per provider, Ansible
/// hosts per group and plays.
fn summary(built: &Built) -> serde_json::Value {
    let files: Vec<serde_json::Value> = built
        .files
        .iter()
        .map(|(p, bytes)| serde_json::json!({ "path": p, "bytes": bytes }))
        .collect();
    let ansible = built.ansible.clone().unwrap_or_default();
    serde_json::json!({
        "files": files,
        "terraform": { "resources": built.resources },
        "ansible": { "hosts": ansible.hosts, "groups": ansible.groups, "plays": ansible.plays },
    })
}

fn human(s: &serde_json::Value, dir: &std::path::Path) -> String {
    let files = s["files"].as_array().map_or(0, |f| f.len());
    let mut out = format!("wrote {} ({files} files)\n", dir.display());
    let res: Vec<String> = s["terraform"]["resources"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(p, n)| format!("{p} {n}"))
        .collect();
    if !res.is_empty() {
        let total: u64 = s["terraform"]["resources"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(_, n)| n.as_u64())
            .sum();
        out.push_str(&format!(
            "  terraform/main.tf.json  {total} resources ({})\n",
            res.join(", ")
        ));
    } else if s["files"].as_array().is_some_and(|f| {
        f.iter()
            .any(|x| x["path"] == crate::backend::terraform::PATH)
    }) {
        out.push_str("  terraform/main.tf.json  no resources (bare metal only)\n");
    }
    let plays = s["ansible"]["plays"].as_u64().unwrap_or(0);
    if plays > 0 {
        let groups: Vec<String> = s["ansible"]["groups"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(g, n)| format!("{g} {n}"))
            .collect();
        out.push_str(&format!(
            "  ansible/                {} hosts, {plays} plays; groups: {}\n",
            s["ansible"]["hosts"],
            groups.join(", ")
        ));
    }
    out
}
