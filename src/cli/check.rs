//! `stackc check FILE`.

use super::{CheckArgs, Deny, Format, FAILURE, INPUT_ERRORS, OK};
use crate::diag::render;
use crate::lower::Options;

pub fn run(args: &CheckArgs) -> i32 {
    if let Err(code) = super::require_file(&args.file) {
        return code;
    }
    let opts = Options {
        profile: args.profile.clone(),
        allow_outside: args.allow_outside,
    };
    let c = crate::compile(&args.file, &opts, args.deny == Some(Deny::Warnings));
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
