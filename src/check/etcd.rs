//! E0401 / W0402: etcd quorum. An even member count adds no fault
//! tolerance over the odd count below it (4 members tolerate one failure,
//! like 3) and a single member is a single point of failure.

use crate::diag::{codes, Diagnostic, Sink};
use crate::ir::{Ir, Role};

pub fn check(ir: &Ir, sink: &mut Sink) {
    if ir.kubernetes.is_none() {
        return;
    }
    let members: Vec<_> = ir.nodes.iter().filter(|n| n.has(Role::Etcd)).collect();
    let Some(first) = members.first() else { return };
    let n = members.len();
    let names: Vec<String> = members.iter().map(|m| format!("`{}`", m.name)).collect();
    if n == 1 {
        sink.push(
            Diagnostic::new(&codes::ETCD_SINGLE, first.roles.span, format!("a single etcd member ({})", names[0]))
                .label("the only node with the `etcd` role")
                .help("the cluster's state does not survive the loss of this node; three members tolerate one failure")
                .note("accept it on purpose with `allow \"etcd-single\" { reason = \"…\" }`"),
        );
    } else if n % 2 == 0 {
        let tolerates = (n - 1) / 2;
        let mut d = Diagnostic::new(
            &codes::ETCD_EVEN,
            last_group_span(&members),
            format!("{n} etcd members: an even count"),
        )
        .label(format!(
            "{n} members tolerate {tolerates} failure(s), no more than {}",
            n - 1
        ))
        .help(format!(
            "use {} or {} members; {} tolerate {} failure(s)",
            n - 1,
            n + 1,
            n + 1,
            n / 2
        ))
        .note(format!("the members are {}", names.join(", ")));
        for g in groups(&members).iter().rev().skip(1) {
            d = d.with_secondary(*g, "also etcd members");
        }
        sink.push(d);
    }
}

/// The `roles` span of each node block holding members, once each.
fn groups(members: &[&crate::ir::Node]) -> Vec<crate::span::Span> {
    let mut out: Vec<crate::span::Span> = Vec::new();
    for m in members {
        if !out.contains(&m.roles.span) {
            out.push(m.roles.span);
        }
    }
    out
}

fn last_group_span(members: &[&crate::ir::Node]) -> crate::span::Span {
    *groups(members).last().unwrap_or(&members[0].roles.span)
}
