//! E0403 / E0404: the API endpoint. With several control planes, clients
//! and joining nodes need one stable address in front of them (kubeadm's
//! `controlPlaneEndpoint`); that load balancer cannot be a control plane
//! itself, or losing it loses both.

use crate::diag::{codes, Diagnostic, Sink};
use crate::ir::{Ir, Role};

pub fn check(ir: &Ir, sink: &mut Sink) {
    let Some(k) = &ir.kubernetes else {
        // Addons are Helm releases: without a cluster there is nowhere to install them.
        if let Some(a) = ir.addons.first() {
            sink.push(
                Diagnostic::new(
                    &codes::NO_CONTROL_PLANE,
                    a.span,
                    format!(
                        "`{}` needs a Kubernetes cluster, but the stack has no `kubernetes` block",
                        a.name
                    ),
                )
                .label("an addon is installed into a cluster")
                .help(
                    "add `kubernetes { version = \"…\" }` and give a node the `control_plane` role",
                ),
            );
        }
        return;
    };
    let cps: Vec<_> = ir
        .nodes
        .iter()
        .filter(|n| n.has(Role::ControlPlane))
        .collect();
    if cps.is_empty() {
        sink.push(
            Diagnostic::new(
                &codes::NO_CONTROL_PLANE,
                k.header,
                "no node has the `control_plane` role",
            )
            .label("this cluster has no control plane")
            .help("add `control_plane` to the roles of one node (or three, for high availability)"),
        );
        return;
    }
    match &k.api {
        None if cps.len() > 1 => {
            let names: Vec<String> = cps.iter().map(|n| format!("`{}`", n.name)).collect();
            sink.push(
                Diagnostic::new(
                    &codes::API_ENDPOINT,
                    k.header,
                    format!("{} control planes and no `api` load balancer", cps.len()),
                )
                .label("`kubernetes` sets no `api`")
                .with_secondary(cps[0].roles.span, "control planes")
                .help("add a node with `roles = [loadbalancer]` and set `api = node.NAME` here")
                .note(format!("the control planes are {}", names.join(", "))),
            );
        }
        Some(api) => {
            for id in &api.value {
                let n = ir.node(*id);
                if n.has(Role::ControlPlane) {
                    sink.push(
                        Diagnostic::new(&codes::API_ENDPOINT, api.span, format!("the API load balancer {} is itself a control plane", n.describe()))
                            .label("the endpoint must survive the loss of any control plane")
                            .with_secondary(n.roles.span, "its roles")
                            .help("put the load balancer on a node of its own, with `roles = [loadbalancer]`"),
                    );
                }
            }
        }
        None => {}
    }
}
