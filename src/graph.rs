//! Pictures of a stack, from the IR: the **topology** (hypervisors and their
//! VMs, bare-metal nodes, networks, the API load balancer, storage, tunnels)
//! and the **order** of `site.yml` (the same petgraph graph the Ansible
//! backend sorts). Rendered as Graphviz DOT, Mermaid, or SVG (DOT laid out
//! by the pure-Rust `layout-rs`).

use crate::backend::ansible::site::{order_graph, play_order, Phase};
use crate::ir::{Ir, Role, TunnelKind};
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::HashMap;
use std::fmt::Write;

/// What a box in the picture is: decides its shape and colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Hypervisor,
    Vm,
    BareMetal,
    Network,
    Storage,
    Tunnel,
    Phase,
    Addon,
}

#[derive(Debug, Clone)]
pub struct Box {
    pub id: String,
    pub label: Vec<String>,
    pub kind: Kind,
}

pub type Picture = DiGraph<Box, String>;

/// Hypervisors host their VMs, nodes sit on networks, the load balancer
/// fronts the control planes, storage and tunnels reach their nodes.
pub fn topology(ir: &Ir) -> Picture {
    let mut g = Picture::new();
    let mut hv = HashMap::new();
    for h in &ir.hypervisors {
        let label = vec![
            h.name.clone(),
            format!("Proxmox {} · {}", h.node_name, h.arch.value),
        ];
        hv.insert(
            h.name.clone(),
            g.add_node(Box {
                id: format!("hv_{}", h.name),
                label,
                kind: Kind::Hypervisor,
            }),
        );
    }
    let mut net = HashMap::new();
    for n in &ir.networks {
        let mut label = vec![format!("network {}", n.name), n.cidr.value.to_string()];
        if let Some(v) = &n.vlan {
            label.push(format!("VLAN {} on {}", v.value, n.bridge));
        }
        net.insert(
            n.name.clone(),
            g.add_node(Box {
                id: format!("net_{}", n.name),
                label,
                kind: Kind::Network,
            }),
        );
    }
    let mut nodes: Vec<NodeIndex> = Vec::new();
    for n in &ir.nodes {
        let roles: Vec<&str> = n.roles.value.iter().map(|r| r.word()).collect();
        let mut label = vec![
            n.hostname.value.clone(),
            n.ip.value.to_string(),
            roles.join(", "),
        ];
        match &n.vm {
            Some(vm) => label.push(format!(
                "VM {} · {} vCPU · {}",
                vm.id.value, vm.cpu.value, vm.memory.value
            )),
            None => label.push(format!("bare metal · {}", n.arch.value)),
        }
        let kind = if n.vm.is_some() {
            Kind::Vm
        } else {
            Kind::BareMetal
        };
        let idx = g.add_node(Box {
            id: format!("node_{}", n.name),
            label,
            kind,
        });
        nodes.push(idx);
        if let Some(vm) = &n.vm {
            let h = &ir.hypervisor(vm.host.value).name;
            g.add_edge(hv[h], idx, String::new());
        }
        g.add_edge(idx, net[&ir.network(n.network.value).name], String::new());
    }
    if let Some(api) = ir.kubernetes.as_ref().and_then(|k| k.api.as_ref()) {
        let port = ir.kubernetes.as_ref().map_or(6443, |k| k.api_port);
        for lb in &api.value {
            for (i, n) in ir.nodes.iter().enumerate() {
                if n.has(Role::ControlPlane) {
                    g.add_edge(nodes[lb.index()], nodes[i], format!("API :{port}"));
                }
            }
        }
    }
    for s in &ir.storage {
        let label = vec![format!("storage {}", s.name), s.backend.value.to_string()];
        let idx = g.add_node(Box {
            id: format!("storage_{}", s.name),
            label,
            kind: Kind::Storage,
        });
        for n in &s.nodes {
            g.add_edge(idx, nodes[n.value.index()], String::new());
        }
        if let Some(server) = s.server.as_ref().and_then(|x| x.value) {
            g.add_edge(idx, nodes[server.index()], "served by".into());
        }
    }
    for t in &ir.tunnels {
        let kind = if t.kind.value == TunnelKind::Cloudflare {
            "Cloudflare tunnel"
        } else {
            "ZeroTier"
        };
        let mut label = vec![format!("{kind} {}", t.name)];
        label.extend(t.routes.iter().map(|r| r.hostname.clone()));
        if let Some(c) = &t.cidr {
            label.push(c.value.to_string());
        }
        let idx = g.add_node(Box {
            id: format!("tunnel_{}", t.name),
            label,
            kind: Kind::Tunnel,
        });
        for id in t.runs_on.iter().chain(&t.members) {
            g.add_edge(idx, nodes[id.index()], String::new());
        }
    }
    g
}

/// The plays of `site.yml` in order, with the dependency edges.
pub fn order(ir: &Ir) -> Picture {
    let deps = order_graph(ir, &crate::backend::ansible::inventory::groups(ir));
    let mut g = Picture::new();
    let mut idx = HashMap::new();
    for (i, p) in play_order(&deps).into_iter().enumerate() {
        let (label, kind) = match &p {
            Phase::Addon(name) => (vec![format!("{}. addon {name}", i + 1)], Kind::Addon),
            other => (
                vec![format!("{}. {}", i + 1, phase_name(other))],
                Kind::Phase,
            ),
        };
        idx.insert(
            p.clone(),
            g.add_node(Box {
                id: format!("p{i}"),
                label,
                kind,
            }),
        );
    }
    for e in deps.edge_indices() {
        if let Some((a, b)) = deps.edge_endpoints(e) {
            g.add_edge(idx[&deps[a]], idx[&deps[b]], String::new());
        }
    }
    g
}

fn phase_name(p: &Phase) -> &'static str {
    match p {
        Phase::Base => "all nodes: base system",
        Phase::KubePrereqs => "Kubernetes packages",
        Phase::Storage => "storage",
        Phase::LoadBalancer => "API load balancer",
        Phase::InitControlPlane => "kubeadm init",
        Phase::JoinControlPlanes => "join control planes",
        Phase::JoinWorkers => "join workers",
        Phase::Kubespray => "Kubespray cluster.yml",
        Phase::Cni => "CNI",
        Phase::Addon(_) => "addon",
        Phase::Tunnels => "tunnels",
        Phase::Power => "power management",
    }
}

fn style(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Hypervisor => ("box3d", "#dbe9f6"),
        Kind::Vm => ("box", "#e8f4e8"),
        Kind::BareMetal => ("box", "#fdf1dc"),
        Kind::Network => ("ellipse", "#f0f0f0"),
        Kind::Storage => ("cylinder", "#efe4f7"),
        Kind::Tunnel => ("hexagon", "#fde2e2"),
        Kind::Phase => ("box", "#e8eef8"),
        Kind::Addon => ("box", "#e8f4e8"),
    }
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn ident(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Graphviz DOT. `flat` leaves out attributes the pure-Rust layout does not
/// understand.
pub fn dot(g: &Picture, title: &str, flat: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", dot_escape(title));
    if !flat {
        let _ = writeln!(out, "  rankdir=LR;\n  node [style=filled, fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=9];");
    }
    for n in g.node_indices() {
        let b = &g[n];
        let (shape, fill) = style(b.kind);
        let label = dot_escape(&b.label.join("\n"));
        if flat {
            let _ = writeln!(out, "  {} [label=\"{}\", shape=box];", ident(&b.id), label);
        } else {
            let _ = writeln!(
                out,
                "  {} [label=\"{}\", shape={shape}, fillcolor=\"{fill}\"];",
                ident(&b.id),
                label
            );
        }
    }
    for e in g.edge_indices() {
        let Some((a, b)) = g.edge_endpoints(e) else {
            continue;
        };
        let label = &g[e];
        let attrs = if label.is_empty() {
            String::new()
        } else {
            format!(" [label=\"{}\"]", dot_escape(label))
        };
        let _ = writeln!(out, "  {} -> {}{attrs};", ident(&g[a].id), ident(&g[b].id));
    }
    out.push_str("}\n");
    out
}

/// Mermaid flowchart (renders in GitHub, GitLab and mdBook with a plugin).
pub fn mermaid(g: &Picture) -> String {
    let mut out = String::from("flowchart LR\n");
    let text = |s: &str| s.replace('"', "#quot;");
    for n in g.node_indices() {
        let b = &g[n];
        let label = text(&b.label.join("<br/>"));
        let shape = match b.kind {
            Kind::Network => format!("([\"{label}\"])"),
            Kind::Storage => format!("[(\"{label}\")]"),
            Kind::Tunnel => format!("{{{{\"{label}\"}}}}"),
            Kind::Hypervisor => format!("[[\"{label}\"]]"),
            _ => format!("[\"{label}\"]"),
        };
        let _ = writeln!(out, "  {}{shape}", ident(&b.id));
    }
    for e in g.edge_indices() {
        let Some((a, b)) = g.edge_endpoints(e) else {
            continue;
        };
        let label = &g[e];
        if label.is_empty() {
            let _ = writeln!(out, "  {} --> {}", ident(&g[a].id), ident(&g[b].id));
        } else {
            let _ = writeln!(
                out,
                "  {} -->|\"{}\"| {}",
                ident(&g[a].id),
                text(label),
                ident(&g[b].id)
            );
        }
    }
    out
}

/// SVG, laid out in-process by `layout-rs` from the DOT text.
pub fn svg(g: &Picture, title: &str) -> Result<String, String> {
    use layout::backends::svg::SVGWriter;
    use layout::gv::{DotParser, GraphBuilder};
    if g.node_count() == 0 {
        // layout-rs cannot lay out an empty graph; say so in the picture.
        return Ok(format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\"40\"><text x=\"10\" y=\"25\">{}: nothing to draw</text></svg>\n",
            title.replace('&', "&amp;").replace('<', "&lt;")
        ));
    }
    let text = dot(g, title, true);
    let mut parser = DotParser::new(&text);
    let ast = parser
        .process()
        .map_err(|e| format!("layout-rs could not parse the graph: {e}"))?;
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&ast);
    let mut vg = builder.get();
    let mut svg = SVGWriter::new();
    vg.do_it(false, false, false, &mut svg);
    Ok(svg.finalize())
}
