//! E0310: Proxmox VMIDs must be unique and within 100..=999999999; a clash
//! fails `tofu apply` after the first VM is created.

use crate::diag::{codes, Diagnostic, Sink};
use crate::ir::{Ir, Node};
use rustc_hash::FxHashMap as HashMap;

pub fn check(ir: &Ir, sink: &mut Sink) {
    let mut seen: HashMap<u64, &Node> = HashMap::default();
    for n in &ir.nodes {
        let Some(vm) = &n.vm else { continue };
        let id = vm.id.value;
        if !(100..=999_999_999).contains(&id) {
            sink.push(
                Diagnostic::new(
                    &codes::VM_ID,
                    vm.id.span,
                    format!("VMID {id} of {} is outside 100..999999999", n.describe()),
                )
                .label("Proxmox rejects this ID")
                .help("choose an `id` from 100 to 999999999"),
            );
            continue;
        }
        match seen.get(&id) {
            // Derived from one address used twice: E0303 says it already.
            Some(first) if first.ip.value == n.ip.value => {}
            Some(first) => sink.push(
                Diagnostic::new(&codes::VM_ID, vm.id.span, format!("{} and {} would both be VMID {id}", first.describe(), n.describe()))
                    .label("same VMID")
                    .with_secondary(first.vm.as_ref().map_or(first.span, |v| v.id.span), "first VM with it")
                    .help("set `id = …` in one `vm` block (derived IDs are 100 + the address's low 24 bits)"),
            ),
            None => {
                seen.insert(id, n);
            }
        }
    }
}
