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
    // One `power` block per group: its nodes, in order.
    let mut groups: BTreeMap<crate::span::Span, Vec<&Node>> = BTreeMap::new();
    for n in &ir.nodes {
        if n.power.as_ref().is_some_and(|p| p.wake_on_lan.value) {
            groups
                .entry(n.power.as_ref().map_or(n.span, |p| p.span))
                .or_default()
                .push(n);
        }
    }
    for nodes in groups.values() {
        let Some(p) = &nodes[0].power else { continue };
        let (given, count) = (p.macs_given, nodes.len());
        let missing: Vec<String> = nodes
            .iter()
            .filter(|n| n.power.as_ref().is_some_and(|p| p.mac.is_none()))
            .map(|n| format!("`{}`", n.name))
            .collect();
        if given <= count && missing.is_empty() {
            continue;
        }
        let (span, msg, label) = match p.mac_list {
            Some(list) if given > count => (
                list,
                format!("{given} MACs for {count} node(s) of `{}`", nodes[0].group),
                "one MAC per node, in node order".to_string(),
            ),
            Some(list) => (
                list,
                format!(
                    "{given} MAC(s) for {count} nodes of `{}`: no MAC for {}",
                    nodes[0].group,
                    missing.join(", ")
                ),
                "one MAC per node, in node order".to_string(),
            ),
            None => (
                p.wake_on_lan.span,
                format!("`wake_on_lan` without a MAC for {}", missing.join(", ")),
                "the magic packet is addressed to the NIC's MAC".to_string(),
            ),
        };
        let help = if count > 1 {
            format!("give `mac = [..]` exactly {count} addresses, one per node in order")
        } else {
            "add `mac = aa:bb:cc:dd:ee:ff` (read it with `ip link` on the machine)".to_string()
        };
        sink.push(
            Diagnostic::new(&codes::WOL_MAC, span, msg)
                .label(label)
                .help(help),
        );
    }
}

fn sleep(ir: &Ir, sink: &mut Sink) {
    // One finding per `sleep_after` (a counted group shares it).
    let mut by_span: BTreeMap<
        crate::span::Span,
        (Vec<&Node>, &'static str, crate::ir::value::Duration),
    > = BTreeMap::new();
    for (i, n) in ir.nodes.iter().enumerate() {
        let Some(after) = n.power.as_ref().and_then(|p| p.sleep_after.as_ref()) else {
            continue;
        };
        let Some(why) = critical(ir, i, n) else {
            continue;
        };
        by_span
            .entry(after.span)
            .or_insert((Vec::new(), why, after.value))
            .0
            .push(n);
    }
    for (span, (nodes, why, after)) in by_span {
        let who = if nodes.len() == 1 {
            nodes[0].describe()
        } else {
            format!("the {} nodes of `{}`", nodes.len(), nodes[0].group)
        };
        sink.push(
            Diagnostic::new(
                &codes::SLEEP_CRITICAL,
                span,
                format!(
                    "{who} would sleep after {after}, but {} {why}",
                    if nodes.len() == 1 { "it" } else { "each" }
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
    let holds_storage = ir.storage.iter().any(|s| {
        s.nodes.iter().any(|x| x.value.index() == i)
            || s.server
                .as_ref()
                .and_then(|x| x.value)
                .is_some_and(|x| x.index() == i)
    });
    if n.has(Role::Storage) || holds_storage {
        return Some("holds storage");
    }
    let is_api = ir
        .kubernetes
        .as_ref()
        .and_then(|k| k.api.as_ref())
        .is_some_and(|api| api.value.iter().any(|x| x.index() == i));
    if is_api || n.has(Role::LoadBalancer) {
        return Some("is the API load balancer");
    }
    None
}
