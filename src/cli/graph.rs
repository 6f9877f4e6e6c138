//! `stackc graph FILE [--format dot|mermaid|svg] [--view topology|order]`.

use super::{GraphArgs, GraphFormat, GraphView, FAILURE, INPUT_ERRORS, OK};
use crate::diag::render;

pub fn run(args: &GraphArgs) -> i32 {
    let c = match super::compile_file(&args.file, &args.profile, args.allow_outside, false) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(ir) = c.ir.as_ref().filter(|_| !c.has_errors()) else {
        eprint!(
            "{}",
            render::human::render(&c.sources, &c.diagnostics, false)
        );
        return INPUT_ERRORS;
    };
    let (picture, title) = match args.view {
        GraphView::Topology => (
            crate::graph::topology(ir),
            format!("{} topology", ir.site.name),
        ),
        GraphView::Order => (
            crate::graph::order(ir),
            format!("{} site.yml order", ir.site.name),
        ),
    };
    let text = match args.format {
        GraphFormat::Dot => crate::graph::dot(&picture, &title, false),
        GraphFormat::Mermaid => crate::graph::mermaid(&picture),
        GraphFormat::Svg => {
            // A panic inside the layout library is reported, not printed as a crash.
            let hook = std::panic::take_hook();
            std::panic::set_hook(Box::new(|_| {}));
            let laid_out = std::panic::catch_unwind(|| crate::graph::svg(&picture, &title));
            std::panic::set_hook(hook);
            match laid_out {
                Ok(Ok(svg)) => svg,
                Ok(Err(e)) => {
                    eprintln!("error: {e}");
                    return FAILURE;
                }
                Err(_) => {
                    eprintln!("error: the SVG layout failed; `--format dot | dot -Tsvg` (Graphviz) draws the same graph");
                    return FAILURE;
                }
            }
        }
    };
    match &args.output {
        Some(path) => match std::fs::write(path, &text) {
            Ok(()) => OK,
            Err(e) => {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                FAILURE
            }
        },
        None => {
            print!("{text}");
            OK
        }
    }
}
