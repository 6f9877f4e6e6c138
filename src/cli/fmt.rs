//! `stackc fmt FILE… [--check]`.

use super::{FAILURE, INPUT_ERRORS, OK};
use crate::diag::render;
use crate::source::SourceMap;

pub fn run(files: &[std::path::PathBuf], check: bool) -> i32 {
    let mut status = OK;
    for path in files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", path.display());
                return FAILURE;
            }
        };
        let mut sources = SourceMap::new();
        let id = sources.add(path.to_string_lossy(), text.as_str());
        let formatted = match crate::fmt::format_source(&text, id) {
            Ok(f) => f,
            Err(diags) => {
                eprint!("{}", render::human::render(&sources, &diags, false));
                status = status.max(INPUT_ERRORS);
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        if check {
            eprintln!("{} is not formatted", path.display());
            status = status.max(INPUT_ERRORS);
        } else if let Err(e) = std::fs::write(path, formatted) {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            return FAILURE;
        }
    }
    status
}
