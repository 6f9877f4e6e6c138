//! `stackc check FILE`.

use super::{CheckArgs, Deny, Format, FAILURE, INPUT_ERRORS, OK};
use crate::diag::render;

pub fn run(args: &CheckArgs) -> i32 {
    let c = match super::compile_file(
        &args.file,
        &args.profile,
        args.allow_outside,
        args.deny == Some(Deny::Warnings),
    ) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let out = match args.format {
        Format::Human => {
            let color = args.color.enabled();
            let text = render::human::render(&c.sources, &c.diagnostics, color);
            eprint!("{text}");
            None
        }
        Format::Json => Some(render::json::render(&c.sources, &c.diagnostics)),
        Format::Sarif => Some(render::sarif::render(&c.sources, &c.diagnostics)),
        Format::Github => Some(render::github::render(&c.sources, &c.diagnostics)),
    };
    if let Some(out) = out {
        use std::io::Write;
        if std::io::stdout().write_all(out.as_bytes()).is_err() {
            return FAILURE;
        }
    }
    if c.has_errors() {
        INPUT_ERRORS
    } else {
        OK
    }
}
