//! E0902 / E0903: power management. Wake-on-LAN needs each node's MAC (the
//! magic packet is addressed to it); a node the cluster cannot lose must not
//! sleep.

use crate::diag::{codes, Diagnostic, Sink};
use crate::ir::{Ir, Node, Role};
use std::collections::BTreeMap;

pub fn check(ir: &Ir, sink: &mut Sink) {
    wol_macs(ir, sink);
    sleep(ir, sink);
}

fn wol_macs(ir: &Ir, sink: &mut Sink) {
    let mut missing: BTreeMap<crate::span::Span, Vec<&Node>> = BTreeMap::new();
    for n in &ir.nodes {
        let Some(p) = &n.power else { continue };
        if p.wake_on_lan.value && p.mac.is_none() {
            missing.entry(p.wake_on_lan.span).or_default().push(n);
        }
    }
    for (span, nodes) in missing {
        let names: Vec<String> = nodes.iter().map(|n| format!("`{}`", n.name)).collect();
        sink.push(
            Diagnostic::new(
                &codes::WOL_MAC,
                span,
                format!("`wake_on_lan` without a MAC for {}", names.join(", ")),
            )
            .label("the magic packet is addressed to the NIC's MAC")
            .help(if nodes[0].count > 1 {
                "give `mac = [..]` one address per node, in node order"
            } else {
                "add `mac = aa:bb:cc:dd:ee:ff` (see `ip link` on the machine)"
            }),
        );
    }
}

fn sleep(ir: &Ir, sink: &mut Sink) {
    let mut reported = std::collections::HashSet::new();
    for (i, n) in ir.nodes.iter().enumerate() {
        let Some(after) = n.power.as_ref().and_then(|p| p.sleep_after.as_ref()) else {
            continue;
        };
        let Some(why) = critical(ir, i, n) else {
            continue;
        };
        if !reported.insert(after.span) {
            continue;
        }
        sink.push(
            Diagnostic::new(
                &codes::SLEEP_CRITICAL,
                after.span,
                format!(
                    "{} would sleep after {}, but it {why}",
                    n.describe(),
                    after.value
                ),
            )
            .label("the cluster cannot lose this node")
            .help("remove `sleep_after`, or move that role to a node that stays on"),
        );
    }
}

fn critical(ir: &Ir, i: usize, n: &Node) -> Option<&'static str> {
    if n.has(Role::Etcd) {
        return Some("is an etcd member");
    }
    if n.has(Role::ControlPlane) {
        return Some("is a control plane");
    }
    if n.has(Role::Storage)
        || ir.storage.iter().any(|s| {
            s.nodes.iter().any(|x| x.value.index() == i)
                || s.server
                    .as_ref()
                    .and_then(|x| x.value)
                    .is_some_and(|x| x.index() == i)
        })
    {
        return Some("holds storage");
    }
    if ir
        .kubernetes
        .as_ref()
        .and_then(|k| k.api.as_ref())
        .is_some_and(|api| api.value.iter().any(|x| x.index() == i))
        || n.has(Role::LoadBalancer)
    {
        return Some("is the API load balancer");
    }
    None
}
