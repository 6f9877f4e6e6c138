//! E0307: 802.1Q tags are 1..4094 (0 and 4095 are reserved), and one tag is
//! one broadcast domain: two networks with one tag and different CIDRs share
//! a segment without sharing a subnet.

use crate::diag::{codes, Diagnostic, Sink};
use crate::ir::Ir;
use std::collections::HashMap;

pub fn check(ir: &Ir, sink: &mut Sink) {
    let mut by_tag: HashMap<u64, &crate::ir::Network> = HashMap::new();
    for net in &ir.networks {
        let Some(tag) = &net.vlan else { continue };
        if !(1..=4094).contains(&tag.value) {
            sink.push(
                Diagnostic::new(
                    &codes::VLAN,
                    tag.span,
                    format!("VLAN tag {} of `{}` is not 1..4094", tag.value, net.name),
                )
                .label("0 and 4095 are reserved by 802.1Q; tags are 12 bits")
                .help("use a tag from 1 to 4094, or remove `vlan` for an untagged network"),
            );
            continue;
        }
        match by_tag.get(&tag.value) {
            Some(first) if first.cidr.value != net.cidr.value => sink.push(
                Diagnostic::new(
                    &codes::VLAN,
                    tag.span,
                    format!(
                        "VLAN {} is used by `{}` ({}) and `{}` ({})",
                        tag.value, first.name, first.cidr.value, net.name, net.cidr.value
                    ),
                )
                .label("same tag, different subnet")
                .with_secondary(
                    first.vlan.as_ref().map_or(first.span, |v| v.span),
                    format!("`{}` uses it here", first.name),
                )
                .help("give each network its own tag, or make them one network"),
            ),
            Some(_) => {}
            None => {
                by_tag.insert(tag.value, net);
            }
        }
    }
}
