//! E0104: sizes the target cannot represent. Proxmox takes VM memory in
//! whole MiB and disks in whole GiB; `100GB` is 93.13 GiB and would be
//! silently rounded by the provider.

use crate::diag::{codes, Diagnostic, Sink};
use crate::ir::value::Size;
use crate::ir::Ir;
use crate::span::Spanned;

pub fn check(ir: &Ir, sink: &mut Sink) {
    let mut seen = std::collections::HashSet::new();
    for node in &ir.nodes {
        let Some(vm) = &node.vm else { continue };
        let fine =
            vm.memory.value.whole(Size::MIB).is_some() && vm.disk.value.whole(Size::GIB).is_some();
        // Expanded nodes share one `vm` block: report it once. (The set
        // is consulted only on a finding, so a valid fleet never fills it.)
        if fine || !seen.insert(vm.span) {
            continue;
        }
        whole(&vm.memory, Size::MIB, "MiB", "VM memory", sink);
        whole(&vm.disk, Size::GIB, "GiB", "VM disk", sink);
    }
}

fn whole(size: &Spanned<Size>, unit: u64, unit_name: &str, what: &str, sink: &mut Sink) {
    if size.value.whole(unit).is_some() {
        return;
    }
    let bytes = size.value.bytes();
    let down = bytes / unit;
    let up = down + 1;
    let exact = bytes as f64 / unit as f64;
    sink.push(
        Diagnostic::new(
            &codes::SIZE_UNIT,
            size.span,
            format!("{what} must be a whole number of {unit_name}"),
        )
        .label(format!("this is {exact:.2} {unit_name}"))
        .help(format!("write `{down}{unit_name}` or `{up}{unit_name}`")),
    );
}
