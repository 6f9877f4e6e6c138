//! `stackc debug ast|ir FILE`: a stage's data as YAML.

use super::{DebugStage, FAILURE, INPUT_ERRORS, OK};
use crate::diag::render;
use crate::lower::Options;
use crate::source::SourceMap;

pub fn run(stage: DebugStage, file: &std::path::Path, profile: Option<String>) -> i32 {
    if let Err(code) = super::require_file(file) {
        return code;
    }
    let yaml = match stage {
        DebugStage::Ast => {
            let mut sources = SourceMap::new();
            let (parsed, diags) = crate::parse(file, &mut sources);
            if diags.iter().any(|d| d.is_error()) {
                eprint!("{}", render::human::render(&sources, &diags, false));
                return INPUT_ERRORS;
            }
            serde_yaml_ng::to_string(&parsed.files)
        }
        DebugStage::Ir => {
            let c = crate::compile(
                file,
                &Options {
                    profile,
                    allow_outside: false,
                },
                false,
            );
            let Some(ir) = c.ir.filter(|_| !c.diagnostics.iter().any(|d| d.is_error())) else {
                eprint!(
                    "{}",
                    render::human::render(&c.sources, &c.diagnostics, false)
                );
                return INPUT_ERRORS;
            };
            serde_yaml_ng::to_string(&crate::ir::dump(&ir))
        }
    };
    match yaml {
        Ok(y) => {
            print!("{y}");
            OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            FAILURE
        }
    }
}
