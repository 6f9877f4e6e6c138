//! W0801 / W0804: versions against the stdlib matrix, and NetworkPolicy
//! with a CNI that does not enforce it.

use crate::diag::{codes, Diagnostic, Sink};
use crate::ir::{minor_of, Ir};

pub fn check(ir: &Ir, sink: &mut Sink) {
    let Some(k) = &ir.kubernetes else { return };
    let minor = k.minor();
    if let Some(m) = ir.cni_versions.iter().find(|v| v.cni == k.cni.value) {
        let line = minor_of(&k.cni_version.value);
        match m.matrix.get(&minor) {
            Some(known) if known.iter().any(|v| minor_of(v) == line) => {}
            Some(known) => sink.push(
                Diagnostic::new(
                    &codes::VERSION_COMPAT,
                    k.cni_version.span,
                    format!(
                        "{} {} is not known to work with Kubernetes {minor}",
                        k.cni.value, k.cni_version.value
                    ),
                )
                .label(if k.cni_version_defaulted {
                    "the newest version the matrix knows".to_string()
                } else {
                    format!("{} {line}.x is not paired with {minor}", k.cni.value)
                })
                .help(format!(
                    "the matrix pairs Kubernetes {minor} with {} {}",
                    k.cni.value,
                    known.join(", ")
                )),
            ),
            None => {
                let minors: Vec<&str> = m.matrix.keys().map(String::as_str).collect();
                sink.push(
                    Diagnostic::new(&codes::VERSION_COMPAT, k.version.span, format!("the stdlib matrix has no {} versions for Kubernetes {minor}", k.cni.value))
                        .label(format!("{} {} is a guess", k.cni.value, k.cni_version.value))
                        .help(format!("use a Kubernetes minor the matrix knows ({}), or pin `cni_version` and add a `versions \"{}\"` block", minors.join(", "), k.cni.value)),
                );
            }
        }
        if k.network_policies.value && !m.policies {
            sink.push(
                Diagnostic::new(
                    &codes::POLICY_UNENFORCED,
                    k.network_policies.span,
                    format!(
                        "`network_policies = true`, but {} does not enforce NetworkPolicy",
                        k.cni.value
                    ),
                )
                .label("policies would be accepted by the API and silently ignored")
                .with_secondary(k.cni.span, format!("CNI {}", k.cni.value))
                .help("use calico or cilium, or set `network_policies = false`"),
            );
        }
    }
    addons(ir, &minor, sink);
}

fn addons(ir: &Ir, minor: &str, sink: &mut Sink) {
    let key = |v: &str| {
        v.split('.')
            .map(|p| p.parse::<u64>().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    let k = key(minor);
    for a in &ir.addons {
        let c = ir.chart(a.chart);
        // The catalog's range describes its pinned version; an overridden
        // version's range is unknown, so nothing is claimed about it.
        if a.version.value != c.version {
            continue;
        }
        let below = c.kubernetes_min.as_deref().is_some_and(|m| k < key(m));
        let above = c.kubernetes_max.as_deref().is_some_and(|m| k > key(m));
        if below || above {
            let range = match (c.kubernetes_min.as_deref(), c.kubernetes_max.as_deref()) {
                (Some(lo), Some(hi)) => format!("{lo} to {hi}"),
                (Some(lo), None) => format!("{lo} and later"),
                (None, Some(hi)) => format!("up to {hi}"),
                (None, None) => "any version".to_string(),
            };
            sink.push(
                Diagnostic::new(
                    &codes::VERSION_COMPAT,
                    a.version.span,
                    format!(
                        "`{}` {} supports Kubernetes {range}, not {minor}",
                        a.name, a.version.value
                    ),
                )
                .label(if below {
                    "the cluster is too old for this chart"
                } else {
                    "the cluster is too new for this chart"
                })
                .help("pick a chart version made for this Kubernetes minor with `version = \"…\"`"),
            );
        }
    }
}
