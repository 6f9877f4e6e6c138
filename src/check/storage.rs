//! E0701 / E0702: storage that cannot be built as written.

use super::arch::schedulable;
use crate::diag::{codes, Diagnostic, Sink};
use crate::ir::{Ir, Node, Role, Storage, StorageBackend, ZfsLayout};
use crate::span::Span;

pub fn check(ir: &Ir, sink: &mut Sink) {
    for s in &ir.storage {
        match s.backend.value {
            StorageBackend::Ceph => ceph(ir, s, sink),
            StorageBackend::Longhorn => {
                let holders: Vec<&Node> = if s.nodes.is_empty() {
                    longhorn_nodes(ir)
                } else {
                    s.nodes.iter().map(|n| ir.node(n.value)).collect()
                };
                let replicas = s.replicas.as_ref().map_or(3, |r| r.value);
                if replicas > holders.len() as u64 {
                    sink.push(too_many(
                        replicas,
                        &holders,
                        s.replicas.as_ref().map_or(s.header, |r| r.span),
                        "Longhorn",
                    ));
                }
            }
            StorageBackend::Zfs => zfs(s, sink),
            StorageBackend::Nfs => nfs(s, sink),
            StorageBackend::Local => {}
        }
    }
    // The Longhorn addon's replica count (default 3) against the nodes that hold data.
    for a in ir.addons.iter().filter(|a| a.name == "longhorn") {
        let holders = longhorn_nodes(ir);
        let replicas = a.settings.replicas.as_ref().map_or(3, |r| r.value);
        if replicas > holders.len() as u64 {
            let span = a.settings.replicas.as_ref().map_or(a.span, |r| r.span);
            let mut d = too_many(replicas, &holders, span, "Longhorn");
            if a.settings.replicas.is_none() {
                d = d.note(
                    "Longhorn keeps 3 replicas of each volume unless `replicas` says otherwise",
                );
            }
            sink.push(d);
        }
    }
}

/// Longhorn stores data on the nodes with the `storage` role when any node
/// has it, else on every node that runs workloads.
fn longhorn_nodes(ir: &Ir) -> Vec<&Node> {
    let storage: Vec<&Node> = ir.nodes.iter().filter(|n| n.has(Role::Storage)).collect();
    if storage.is_empty() {
        schedulable(ir)
    } else {
        storage
    }
}

fn names(nodes: &[&Node]) -> String {
    let shown: Vec<String> = nodes
        .iter()
        .take(6)
        .map(|n| format!("`{}`", n.name))
        .collect();
    if nodes.len() > 6 {
        format!("{} and {} more", shown.join(", "), nodes.len() - 6)
    } else if shown.is_empty() {
        "none".to_string()
    } else {
        shown.join(", ")
    }
}

fn too_many(replicas: u64, holders: &[&Node], span: Span, what: &str) -> Diagnostic {
    Diagnostic::new(
        &codes::REPLICAS,
        span,
        format!(
            "{replicas} {what} replicas, but only {} node(s) can hold them ({})",
            holders.len(),
            names(holders)
        ),
    )
    .label("each replica needs a node of its own")
    .help(format!(
        "use at most {} replicas, or add nodes",
        holders.len()
    ))
}

fn ceph(ir: &Ir, s: &Storage, sink: &mut Sink) {
    let nodes: Vec<&Node> = s.nodes.iter().map(|n| ir.node(n.value)).collect();
    if nodes.len() < 3 {
        sink.push(
            Diagnostic::new(
                &codes::REPLICAS,
                s.nodes.first().map_or(s.header, |x| x.span),
                format!(
                    "Ceph `{}` has {} node(s) ({}); it needs at least 3",
                    s.name,
                    nodes.len(),
                    names(&nodes)
                ),
            )
            .label("monitors need a majority of 3 and each replica its own host")
            .help(
                "list three or more nodes in `nodes`, or use zfs, nfs or longhorn for a small lab",
            ),
        );
        return;
    }
    let replicas = s.replicas.as_ref().map_or(3, |r| r.value);
    if replicas > nodes.len() as u64 {
        sink.push(too_many(
            replicas,
            &nodes,
            s.replicas.as_ref().map_or(s.header, |r| r.span),
            "Ceph",
        ));
    }
}

fn zfs(s: &Storage, sink: &mut Sink) {
    let Some(layout) = &s.layout else { return };
    let need = match layout.value {
        ZfsLayout::Stripe => 1,
        ZfsLayout::Mirror => 2,
        ZfsLayout::Raidz => 3,
        ZfsLayout::Raidz2 => 4,
        ZfsLayout::Raidz3 => 5,
    };
    let have = s.devices.len();
    if have < need {
        let fits = match have {
            0 => "list the pool's disks in `devices`".to_string(),
            1 => "add a device, or use `layout = stripe` (no redundancy)".to_string(),
            2 => "add a device, or use `layout = mirror`".to_string(),
            3 => "add a device, or use `layout = raidz`".to_string(),
            _ => "add a device, or use `layout = raidz2`".to_string(),
        };
        sink.push(
            Diagnostic::new(
                &codes::STORAGE_LAYOUT,
                layout.span,
                format!(
                    "a zfs {} needs at least {need} devices; `{}` lists {have}",
                    layout.value, s.name
                ),
            )
            .label(format!("{} with {have} device(s)", layout.value))
            .help(fits),
        );
    }
}

fn nfs(s: &Storage, sink: &mut Sink) {
    match &s.server {
        Some(srv) if srv.value.is_none() => sink.push(
            Diagnostic::new(
                &codes::STORAGE_LAYOUT,
                srv.span,
                format!("the NFS server of `{}` is not a node", s.name),
            )
            .label("expected `node.NAME`")
            .help("the server must be a node of the stack, so Ansible can configure its exports"),
        ),
        None => sink.push(
            Diagnostic::new(
                &codes::STORAGE_LAYOUT,
                s.header,
                format!("NFS storage `{}` has no `server`", s.name),
            )
            .label("which node exports it?")
            .help("add `server = node.NAME`"),
        ),
        Some(_) => {}
    }
}
