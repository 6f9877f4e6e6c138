//! E0405: settings the targeted Kubespray release rejects at start-up,
//! found before any play runs. Its other inventory checks (odd etcd,
//! control plane present, disjoint subnets, hostnames) are other codes.

use crate::diag::{codes, Diagnostic, Sink};
use crate::ir::{Distribution, Ir};

/// The Kubespray release stackc writes inventories for.
pub const KUBESPRAY_RELEASE: &str = "2.32";
/// The Kubernetes releases it has checksums for, inclusive.
pub const KUBE_MIN: (u64, u64, u64) = (1, 34, 0);
pub const KUBE_MAX: (u64, u64, u64) = (1, 36, 4);

pub fn check(ir: &Ir, sink: &mut Sink) {
    let Some(k) = ir
        .kubernetes
        .as_ref()
        .filter(|k| k.distribution.value == Distribution::Kubespray)
    else {
        return;
    };
    let parts: Vec<u64> = k
        .version
        .value
        .split('.')
        .map(|p| p.parse().unwrap_or(0))
        .collect();
    let v = (
        parts.first().copied().unwrap_or(0),
        parts.get(1).copied().unwrap_or(0),
        parts.get(2).copied().unwrap_or(0),
    );
    if v < KUBE_MIN || v > KUBE_MAX {
        let fmt = |t: (u64, u64, u64)| format!("{}.{}.{}", t.0, t.1, t.2);
        sink.push(
            Diagnostic::new(
                &codes::KUBESPRAY,
                k.version.span,
                format!(
                    "Kubespray {KUBESPRAY_RELEASE} cannot install Kubernetes {}",
                    k.version.value
                ),
            )
            .label(format!(
                "Kubespray {KUBESPRAY_RELEASE} supports {} to {}",
                fmt(KUBE_MIN),
                fmt(KUBE_MAX)
            ))
            .with_secondary(k.distribution.span, "installed by Kubespray")
            .help(format!(
                "use a version from {} to {}, or `distribution = kubeadm`",
                fmt(KUBE_MIN),
                fmt(KUBE_MAX)
            )),
        );
    }
}
