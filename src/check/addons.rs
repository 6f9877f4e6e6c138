//! E0802 / E0803: addon ordering as a petgraph graph. `after` orders
//! (a cycle cannot be ordered); `requires` needs the other addon enabled.

use crate::diag::{codes, Diagnostic, Sink};
use crate::ir::Ir;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::HashMap;

/// The enabled addons and their `after` edges (to enabled addons only):
/// an edge a → b means a is installed before b.
pub fn order_graph(ir: &Ir) -> (DiGraph<usize, crate::span::Span>, HashMap<&str, NodeIndex>) {
    let mut g = DiGraph::new();
    let mut idx = HashMap::new();
    for (i, a) in ir.addons.iter().enumerate() {
        idx.insert(a.name.as_str(), g.add_node(i));
    }
    for (i, a) in ir.addons.iter().enumerate() {
        // `requires` orders too: a requirement is installed first.
        for dep in a.after.iter().chain(&ir.chart(a.chart).requires) {
            if let Some(&d) = idx.get(dep.value.as_str()) {
                g.update_edge(d, idx[ir.addons[i].name.as_str()], dep.span);
            }
        }
    }
    (g, idx)
}

pub fn check(ir: &Ir, sink: &mut Sink) {
    cycles(ir, sink);
    requires(ir, sink);
}

fn cycles(ir: &Ir, sink: &mut Sink) {
    let (g, _) = order_graph(ir);
    for scc in petgraph::algo::tarjan_scc(&g) {
        let self_loop = scc.len() == 1 && g.contains_edge(scc[0], scc[0]);
        if scc.len() < 2 && !self_loop {
            continue;
        }
        let path = crate::cycles::cycle_through(&g, &scc);
        let names: Vec<String> = path
            .iter()
            .map(|n| format!("`{}`", ir.addons[g[*n]].name))
            .collect();
        let closing = g
            .find_edge(path[path.len() - 2], path[path.len() - 1])
            .map(|e| g[e]);
        let first = &ir.addons[g[path[0]]];
        let mut d = Diagnostic::new(
            &codes::ADDON_CYCLE,
            closing.unwrap_or(first.span),
            format!("addon ordering cycle: {}", names.join(" → ")),
        )
        .label("this `after` closes the cycle")
        .help("remove one `after` so the addons can be installed in some order");
        for w in path.windows(2).take(path.len().saturating_sub(2)) {
            if let Some(e) = g.find_edge(w[0], w[1]) {
                d = d.with_secondary(g[e], "ordered here");
            }
        }
        sink.push(d);
    }
}

fn requires(ir: &Ir, sink: &mut Sink) {
    for a in &ir.addons {
        for req in &ir.chart(a.chart).requires {
            if !ir.addons.iter().any(|b| b.name == req.value) {
                sink.push(
                    Diagnostic::new(
                        &codes::ADDON_REQUIRES,
                        a.span,
                        format!(
                            "`{}` requires `{}`, which this stack does not enable",
                            a.name, req.value
                        ),
                    )
                    .label(format!("needs `{}`", req.value))
                    .help(format!(
                        "add `addon \"{}\" {{}}`, or remove `{}`",
                        req.value, a.name
                    )),
                );
            }
        }
    }
}
