//! E0301: networks, the pod CIDR, the service CIDR and tunnel CIDRs must
//! not overlap (nesting is overlap too): a pod network that contains the
//! node LAN makes every node unreachable from inside the cluster.

use super::planner::{Interval, Kind, Planner};
use crate::diag::{codes, Diagnostic, Sink};
use crate::ir::Ir;

pub fn check(ir: &Ir, sink: &mut Sink) {
    let mut p = Planner::default();
    let mut add = |c: &crate::span::Spanned<crate::ir::value::Cidr>, owner: String| {
        let n = p.intervals.len() as u32;
        p.add(Interval::cidr(c.value, Kind::Cidr(n), owner, c.span));
    };
    for n in &ir.networks {
        add(&n.cidr, format!("network `{}` ({})", n.name, n.cidr.value));
    }
    if let Some(k) = &ir.kubernetes {
        add(&k.pod_cidr, format!("the pod CIDR ({})", k.pod_cidr.value));
        add(
            &k.service_cidr,
            format!("the service CIDR ({})", k.service_cidr.value),
        );
    }
    for t in &ir.tunnels {
        if let Some(c) = &t.cidr {
            add(c, format!("tunnel `{}` ({})", t.name, c.value));
        }
    }
    for (a, b) in p.conflicts() {
        let (a, b) = (&p.intervals[a], &p.intervals[b]);
        let nested = if a.start <= b.start && b.end <= a.end {
            "lies inside"
        } else {
            "overlaps"
        };
        sink.push(
            Diagnostic::new(&codes::CIDR_OVERLAP, b.span, format!("{} {nested} {}", b.owner, a.owner))
                .label("overlaps")
                .with_secondary(a.span, format!("{} is here", a.owner))
                .help("give every network, the pod CIDR, the service CIDR and each tunnel an address range of its own"),
        );
    }
}
