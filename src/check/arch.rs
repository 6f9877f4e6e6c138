//! E0501-E0503: architectures. An arm64 node pulls arm64 images: an addon
//! without them crash-loops there (`exec format error`); a VM cannot run a
//! foreign arch on KVM at useful speed; a cloud image exists per arch.

use crate::diag::{codes, Diagnostic, Sink};
use crate::ir::{Arch, Ir, Node, Role};
use std::collections::BTreeMap;

pub fn check(ir: &Ir, sink: &mut Sink) {
    addons(ir, sink);
    vms(ir, sink);
}

/// Nodes that run workloads: the workers, or every control plane when the
/// stack has no worker (a single-node lab).
pub fn schedulable(ir: &Ir) -> Vec<&Node> {
    let workers: Vec<&Node> = ir.nodes.iter().filter(|n| n.has(Role::Worker)).collect();
    if workers.is_empty() {
        ir.nodes
            .iter()
            .filter(|n| n.has(Role::ControlPlane))
            .collect()
    } else {
        workers
    }
}

fn by_arch<'a>(nodes: &[&'a Node]) -> BTreeMap<Arch, Vec<&'a Node>> {
    let mut m: BTreeMap<Arch, Vec<&Node>> = BTreeMap::new();
    for n in nodes {
        m.entry(n.arch.value).or_default().push(n);
    }
    m
}

fn names(nodes: &[&Node]) -> String {
    let shown: Vec<String> = nodes
        .iter()
        .take(5)
        .map(|n| format!("`{}`", n.name))
        .collect();
    let more = if nodes.len() > 5 {
        format!(" and {} more", nodes.len() - 5)
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}

fn addons(ir: &Ir, sink: &mut Sink) {
    let sched = by_arch(&schedulable(ir));
    for a in &ir.addons {
        let chart = ir.chart(a.chart);
        for (arch, nodes) in &sched {
            if !chart.arch.contains(arch) {
                let published: Vec<&str> = chart.arch.iter().map(|a| a.word()).collect();
                sink.push(
                    Diagnostic::new(&codes::ARCH_ADDON, a.span, format!("`{}` has no {arch} images, but {} {} {arch}", a.name, names(nodes), if nodes.len() == 1 { "is" } else { "are" }))
                        .label(format!("images for {} only", published.join(", ")))
                        .with_secondary(nodes[0].arch.span, format!("{arch} nodes"))
                        .help(format!("keep its pods off {arch} with a node selector in `values`, or use a chart that publishes {arch} images")),
                );
            }
        }
    }
    // The CNI runs as a DaemonSet on every node.
    if let Some(k) = &ir.kubernetes {
        let Some(cni) = ir.cni_versions.iter().find(|v| v.cni == k.cni.value) else {
            return;
        };
        // Kubelet nodes only: a plain load balancer or NAS runs no CNI.
        let all: Vec<&Node> = ir
            .nodes
            .iter()
            .filter(|n| n.has(Role::ControlPlane) || n.has(Role::Worker))
            .collect();
        for (arch, nodes) in by_arch(&all) {
            if !cni.arch.contains(&arch) {
                sink.push(
                    Diagnostic::new(
                        &codes::ARCH_ADDON,
                        k.cni.span,
                        format!(
                            "{} publishes no {arch} images, but {} {} {arch}",
                            k.cni.value,
                            names(&nodes),
                            if nodes.len() == 1 { "is" } else { "are" }
                        ),
                    )
                    .label("the CNI runs on every node")
                    .help("choose a CNI that supports every node architecture"),
                );
            }
        }
    }
}

fn vms(ir: &Ir, sink: &mut Sink) {
    // One finding per `vm` block: a counted group's nodes share its span.
    let mut seen = rustc_hash::FxHashSet::default();
    for n in &ir.nodes {
        let Some(vm) = &n.vm else { continue };
        if !seen.insert(vm.span) {
            continue;
        }
        let hv = ir.hypervisor(vm.host.value);
        if n.arch.value != hv.arch.value {
            sink.push(
                Diagnostic::new(
                    &codes::ARCH_VM,
                    n.arch.span,
                    format!(
                        "{} is {} but its hypervisor `{}` is {}",
                        n.describe(),
                        n.arch.value,
                        hv.name,
                        hv.arch.value
                    ),
                )
                .label(format!("{} VM", n.arch.value))
                .with_secondary(hv.arch.span, format!("`{}` is {}", hv.name, hv.arch.value))
                .help(format!(
                    "run {} nodes on a hypervisor of that architecture, or as bare metal (no `vm` block)",
                    n.arch.value
                )),
            );
        }
        let image = ir.image(n.os.value);
        if !image.urls.contains_key(&n.arch.value) {
            let have: Vec<&str> = image.urls.keys().map(|a| a.word()).collect();
            let mut d = Diagnostic::new(
                &codes::ARCH_IMAGE,
                n.os.span,
                format!(
                    "image `{}` has no {} URL for the VM {}",
                    image.name,
                    n.arch.value,
                    n.describe()
                ),
            )
            .label(if have.is_empty() {
                "this image has no cloud-image URL at all".to_string()
            } else {
                format!("URLs for {} only", have.join(", "))
            })
            .help(format!(
                "add `{} = \"https://…\"` to `image \"{}\"`, or pick an image that has one",
                n.arch.value, image.name
            ));
            if !image.builtin {
                d = d.with_secondary(image.span, "the image is defined here");
            }
            sink.push(d);
        }
    }
}
