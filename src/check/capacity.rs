//! E0601 / W0602 / E0603: what the VMs on a hypervisor ask for against what
//! it has, and the memory kubeadm and kubelet need per role.

use crate::diag::{codes, Diagnostic, Sink};
use crate::ir::value::Size;
use crate::ir::{Hypervisor, Ir, Node, Role};
use crate::span::Span;

pub fn check(ir: &Ir, sink: &mut Sink) {
    for (i, hv) in ir.hypervisors.iter().enumerate() {
        let vms: Vec<&Node> = ir
            .nodes
            .iter()
            .filter(|n| n.vm.as_ref().is_some_and(|v| v.host.value.index() == i))
            .collect();
        if vms.is_empty() {
            continue;
        }
        memory(hv, &vms, sink);
        cpu(hv, &vms, sink);
        disks(hv, &vms, sink);
    }
    min_memory(ir, sink);
}

/// Per `vm` block: "`worker` 10 × 16GiB = 160GiB", labelled on the value
/// that `at` picks (the `memory` or the `disk` of the block).
fn groups(
    vms: &[&Node],
    amount: impl Fn(&Node) -> u64,
    at: impl Fn(&crate::ir::Vm) -> Span,
    unit: impl Fn(u64) -> String,
) -> Vec<(Span, String, u64)> {
    // (span, group, count, total, each), in first-seen order; a map finds the row.
    let mut out: Vec<(Span, String, u64, u64, String)> = Vec::new();
    let mut row: std::collections::HashMap<Span, usize> = std::collections::HashMap::new();
    for n in vms {
        let Some(vm) = &n.vm else { continue };
        let x = amount(n);
        let span = at(vm);
        match row.get(&span) {
            Some(&i) => {
                out[i].2 += 1;
                out[i].3 += x;
            }
            None => {
                row.insert(span, out.len());
                out.push((span, n.group.clone(), 1, x, unit(x)));
            }
        }
    }
    out.into_iter()
        .map(|(span, group, count, total, each)| {
            (
                span,
                format!("`{group}`: {count} × {each} = {}", unit(total)),
                total,
            )
        })
        .collect()
}

fn size(x: u64) -> String {
    Size(x).to_string()
}

fn memory(hv: &Hypervisor, vms: &[&Node], sink: &mut Sink) {
    let Some(have) = &hv.memory else { return };
    let memory = |n: &Node| n.vm.as_ref().map_or(0, |v| v.memory.value.bytes());
    let asked: u64 = vms.iter().map(|n| memory(n)).sum();
    let have_b = have.value.bytes();
    if asked > have_b {
        // The per-group breakdown is built only for a finding: a fleet
        // that fits pays for one sum, not one string per VM.
        let gs = groups(vms, memory, |v| v.memory.span, size);
        let mut d = Diagnostic::new(
            &codes::CAPACITY,
            have.span,
            format!(
                "the VMs on `{}` ask for {} of memory; it has {}",
                hv.name,
                size(asked),
                have.value
            ),
        )
        .label(format!("{} short", size(asked - have_b)))
        .help(format!(
            "shrink the VMs by {} or more, or move some to another hypervisor",
            size(asked - have_b)
        ));
        for (span, text, _) in &gs {
            d = d.with_secondary(*span, text.clone());
        }
        sink.push(d);
    } else if asked * 10 > have_b * 9 {
        sink.push(
            Diagnostic::new(
                &codes::OVERCOMMIT,
                have.span,
                format!(
                    "the VMs on `{}` use {} of its {} memory ({:.1} %)",
                    hv.name,
                    size(asked),
                    have.value,
                    asked as f64 * 100.0 / have_b.max(1) as f64
                ),
            )
            .label("above 90 %: the host itself and ZFS ARC need the rest")
            .help(format!(
                "the VMs may use at most {} (90 %); shrink them by {}",
                size(have_b / 10 * 9),
                size(asked - have_b / 10 * 9)
            )),
        );
    }
}

fn cpu(hv: &Hypervisor, vms: &[&Node], sink: &mut Sink) {
    let Some(cores) = &hv.cpu else { return };
    let vcpu: u64 = vms
        .iter()
        .filter_map(|n| n.vm.as_ref())
        .map(|v| v.cpu.value)
        .sum();
    if vcpu > cores.value * 4 {
        sink.push(
            Diagnostic::new(
                &codes::OVERCOMMIT,
                cores.span,
                format!(
                    "the VMs on `{}` have {vcpu} vCPUs on {} host CPUs ({:.1}:1)",
                    hv.name,
                    cores.value,
                    vcpu as f64 / cores.value.max(1) as f64
                ),
            )
            .label("above 4:1, CPU steal time makes the API server and etcd miss deadlines")
            .help(format!("keep vCPUs at or below {}", cores.value * 4)),
        );
    }
}

fn disks(hv: &Hypervisor, vms: &[&Node], sink: &mut Sink) {
    for ds in &hv.datastores {
        let Some(have) = &ds.size else { continue };
        let on: Vec<&Node> = vms
            .iter()
            .copied()
            .filter(|n| n.vm.as_ref().is_some_and(|v| v.datastore.value == ds.name))
            .collect();
        let disk = |n: &Node| n.vm.as_ref().map_or(0, |v| v.disk.value.bytes());
        let asked: u64 = on.iter().map(|n| disk(n)).sum();
        if asked > have.value.bytes() {
            let gs = groups(&on, disk, |v| v.disk.span, size);
            let mut d = Diagnostic::new(
                &codes::CAPACITY,
                have.span,
                format!(
                    "the VM disks on `{}` datastore `{}` need {}; it holds {}",
                    hv.name,
                    ds.name,
                    size(asked),
                    have.value
                ),
            )
            .label(format!("{} short", size(asked - have.value.bytes())))
            .help("shrink the disks, or put some on another datastore with `datastore = \"…\"`");
            for (span, text, _) in &gs {
                d = d.with_secondary(*span, text.clone());
            }
            sink.push(d);
        }
    }
}

/// kubeadm's preflight wants ~1.7 GB on a control plane; the design sets the
/// floor at 1.5 GiB for control planes and 1 GiB for workers.
fn min_memory(ir: &Ir, sink: &mut Sink) {
    let mut seen = std::collections::HashSet::new();
    for n in &ir.nodes {
        let Some(vm) = &n.vm else { continue };
        let (floor, role) = if n.has(Role::ControlPlane) {
            (3 * Size::GIB / 2, "a control plane")
        } else if n.has(Role::Worker) {
            (Size::GIB, "a worker")
        } else {
            continue;
        };
        // One finding per `vm` block, however many nodes it expands to.
        if vm.memory.value.bytes() < floor && seen.insert(vm.span) {
            sink.push(
                Diagnostic::new(
                    &codes::MIN_MEMORY,
                    vm.memory.span,
                    format!(
                        "{} has {} of memory; {role} needs at least {}",
                        n.describe(),
                        vm.memory.value,
                        Size(floor)
                    ),
                )
                .label("too little for kubelet and the system pods")
                .help(format!("give it `memory = {}` or more", Size(floor))),
            );
        }
    }
}
