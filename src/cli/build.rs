//! `stackc build FILE [-o DIR]`: compile, emit, and replace the output
//! directory atomically. An input with errors leaves the previous output
//! untouched.

use super::{BuildArgs, Color, Deny, OnlyArg, FAILURE, INPUT_ERRORS, OK};
use crate::diag::render;
use crate::lower::Options;
use std::io::IsTerminal;

pub fn run(args: &BuildArgs) -> i32 {
    if let Err(code) = super::require_file(&args.file) {
        return code;
    }
    let opts = Options {
        profile: args.profile.clone(),
        allow_outside: args.allow_outside,
    };
    let c = crate::compile(&args.file, &opts, args.deny == Some(Deny::Warnings));
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stderr().is_terminal(),
    };
    eprint!(
        "{}",
        render::human::render(&c.sources, &c.diagnostics, color)
    );
    let only = match args.only {
        Some(OnlyArg::Terraform) => crate::Only::Terraform,
        Some(OnlyArg::Ansible) => crate::Only::Ansible,
        None => crate::Only::All,
    };
    let out = match crate::emit(&c, only) {
        Ok(out) => out,
        Err(diags) => {
            if !diags.iter().all(|d| c.diagnostics.contains(d)) {
                eprint!("{}", render::human::render(&c.sources, &diags, color));
            }
            eprintln!(
                "error: nothing written; `{}` is unchanged",
                args.output.display()
            );
            return INPUT_ERRORS;
        }
    };
    if let Err(e) = crate::backend::write::write_atomic(&args.output, &out) {
        eprintln!(
            "error: cannot write `{}`: {e}; it is unchanged",
            args.output.display()
        );
        return FAILURE;
    }
    for (path, text) in &out.files {
        eprintln!(
            "wrote {} ({} bytes)",
            args.output.join(path).display(),
            text.len()
        );
    }
    OK
}
