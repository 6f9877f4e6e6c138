//! E0701 / E0702: storage that cannot be built as written.

use super::arch::schedulable;
use crate::diag::{codes, Diagnostic, Sink};
use crate::ir::{Ir, StorageBackend, ZfsLayout};

pub fn check(ir: &Ir, sink: &mut Sink) {
    for s in &ir.storage {
        match s.backend.value {
            StorageBackend::Ceph => ceph(s, sink),
            StorageBackend::Longhorn => {
                let replicas = s.replicas.as_ref().map_or(3, |r| r.value);
                let holders = if s.nodes.is_empty() {
                    schedulable(ir).len()
                } else {
                    s.nodes.len()
                };
                if replicas > holders as u64 {
                    sink.push(too_many(
                        replicas,
                        holders,
                        s.replicas.as_ref().map_or(s.span, |r| r.span),
                        "Longhorn",
                    ));
                }
            }
            StorageBackend::Zfs => zfs(s, sink),
            StorageBackend::Nfs => nfs(s, sink),
            StorageBackend::Local => {}
        }
    }
    // The Longhorn addon's replica count against the nodes that run it.
    for a in ir.addons.iter().filter(|a| a.name == "longhorn") {
        let holders = schedulable(ir).len();
        if let Some(r) = a
            .settings
            .replicas
            .as_ref()
            .filter(|r| r.value > holders as u64)
        {
            sink.push(too_many(r.value, holders, r.span, "Longhorn"));
        }
    }
}

fn too_many(replicas: u64, holders: usize, span: crate::span::Span, what: &str) -> Diagnostic {
    Diagnostic::new(
        &codes::REPLICAS,
        span,
        format!("{replicas} {what} replicas on {holders} node(s) that can hold them"),
    )
    .label("each replica needs a node of its own")
    .help(format!("use at most {holders} replicas, or add nodes"))
}

fn ceph(s: &crate::ir::Storage, sink: &mut Sink) {
    let n = s.nodes.len();
    if n < 3 {
        sink.push(
            Diagnostic::new(
                &codes::REPLICAS,
                s.nodes.first().map_or(s.span, |x| x.span),
                format!("Ceph `{}` on {n} node(s)", s.name),
            )
            .label("Ceph needs at least 3 nodes for monitor quorum and 3 replicas")
            .help("list three or more nodes in `nodes`, or use zfs/nfs/longhorn for a small lab"),
        );
    }
    let replicas = s.replicas.as_ref().map_or(3, |r| r.value);
    if replicas > n as u64 && n >= 3 {
        sink.push(too_many(
            replicas,
            n,
            s.replicas.as_ref().map_or(s.span, |r| r.span),
            "Ceph",
        ));
    }
}

fn zfs(s: &crate::ir::Storage, sink: &mut Sink) {
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
            .help(format!(
                "add devices to `devices`, or choose a layout that fits {have}"
            )),
        );
    }
}

fn nfs(s: &crate::ir::Storage, sink: &mut Sink) {
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
                s.span,
                format!("NFS storage `{}` has no `server`", s.name),
            )
            .label("which node exports it?")
            .help("add `server = node.NAME`"),
        ),
        Some(_) => {}
    }
}
