//! `site.yml`: plays in the order of one dependency graph of phases and
//! addons (petgraph), topologically sorted with ties broken by the
//! configuration flow, never a hand-kept list. `stackc graph --view order`
//! draws the same graph.

use super::inventory::Groups;
use super::yaml::Y;
use crate::ir::{Distribution, Ir, TunnelKind};
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, BTreeSet};

/// A step of the configuration flow. The derive order is the tie-break.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    Base,
    KubePrereqs,
    Storage,
    LoadBalancer,
    InitControlPlane,
    JoinControlPlanes,
    JoinWorkers,
    Kubespray,
    Cni,
    /// An addon, by name (its index in `ir.addons` breaks ties after the name).
    Addon(String),
    Tunnels,
    Power,
}

/// The phases this stack needs and the edges between them.
pub fn order_graph(ir: &Ir, gs: &Groups) -> DiGraph<Phase, ()> {
    let has = |g: &str| gs.get(g).is_some_and(|m| !m.is_empty());
    let mut g: DiGraph<Phase, ()> = DiGraph::new();
    let mut idx: BTreeMap<Phase, NodeIndex> = BTreeMap::new();
    let mut node = |g: &mut DiGraph<Phase, ()>, p: Phase| {
        *idx.entry(p.clone()).or_insert_with(|| g.add_node(p))
    };
    let base = node(&mut g, Phase::Base);
    let mut chain = vec![base];
    let storage_needed = !ir.storage.is_empty() || ir.addons.iter().any(|a| a.name == "longhorn");
    if storage_needed {
        chain.push(node(&mut g, Phase::Storage));
    }
    if let Some(k) = &ir.kubernetes {
        let kubespray = k.distribution.value == Distribution::Kubespray;
        if has("loadbalancer") && k.api.is_some() {
            chain.push(node(&mut g, Phase::LoadBalancer));
        }
        if kubespray {
            chain.push(node(&mut g, Phase::Kubespray));
        } else if has("control_plane") {
            chain.push(node(&mut g, Phase::KubePrereqs));
            chain.push(node(&mut g, Phase::InitControlPlane));
            if gs.get("control_plane").is_some_and(|m| m.len() > 1) {
                chain.push(node(&mut g, Phase::JoinControlPlanes));
            }
            if worker_only(gs) {
                chain.push(node(&mut g, Phase::JoinWorkers));
            }
            chain.push(node(&mut g, Phase::Cni));
        }
    }
    for w in chain.windows(2) {
        g.update_edge(w[0], w[1], ());
    }
    let cluster_ready = *chain.last().unwrap_or(&base);
    // Addons after the cluster, in `after`/`requires` order among themselves.
    let mut addon_nodes = BTreeMap::new();
    if ir.kubernetes.is_some() {
        for a in &ir.addons {
            let n = node(&mut g, Phase::Addon(a.name.clone()));
            g.update_edge(cluster_ready, n, ());
            addon_nodes.insert(a.name.clone(), n);
        }
        let (deps, _) = crate::check::addons::order_graph(ir);
        for e in deps.edge_indices() {
            if let Some((from, to)) = deps.edge_endpoints(e) {
                let (a, b) = (&ir.addons[deps[from]].name, &ir.addons[deps[to]].name);
                g.update_edge(addon_nodes[a], addon_nodes[b], ());
            }
        }
    }
    let mut last: Vec<NodeIndex> = if addon_nodes.is_empty() {
        vec![cluster_ready]
    } else {
        addon_nodes.values().copied().collect()
    };
    if !ir.tunnels.is_empty() {
        let t = node(&mut g, Phase::Tunnels);
        for l in &last {
            g.update_edge(*l, t, ());
        }
        last = vec![t];
    }
    if has("power") {
        let p = node(&mut g, Phase::Power);
        for l in &last {
            g.update_edge(*l, p, ());
        }
    }
    g
}

fn worker_only(gs: &Groups) -> bool {
    let cps: BTreeSet<&str> = gs
        .get("control_plane")
        .map(|m| m.iter().copied().collect())
        .unwrap_or_default();
    gs.get("workers")
        .is_some_and(|w| w.iter().any(|n| !cps.contains(n)))
}

/// Kahn's algorithm, always taking the smallest ready phase: deterministic.
pub fn play_order(g: &DiGraph<Phase, ()>) -> Vec<Phase> {
    let mut indegree: Vec<usize> = g
        .node_indices()
        .map(|n| {
            g.neighbors_directed(n, petgraph::Direction::Incoming)
                .count()
        })
        .collect();
    let mut ready: BTreeSet<(Phase, NodeIndex)> = g
        .node_indices()
        .filter(|n| indegree[n.index()] == 0)
        .map(|n| (g[n].clone(), n))
        .collect();
    let mut out = Vec::new();
    while let Some((p, n)) = ready.pop_first() {
        out.push(p);
        for m in g.neighbors_directed(n, petgraph::Direction::Outgoing) {
            indegree[m.index()] -= 1;
            if indegree[m.index()] == 0 {
                ready.insert((g[m].clone(), m));
            }
        }
    }
    out
}

fn play(name: &str, hosts: &str, roles: Vec<Y>) -> Y {
    Y::map()
        .with("name", Y::str(name))
        .with("hosts", Y::str(hosts))
        .with("become", Y::Bool(true))
        .with("roles", Y::List(roles))
}

/// Play keywords first, `roles` last, as people write plays.
fn roles_last(y: Y) -> Y {
    match y {
        Y::Map(mut m) => {
            if let Some(i) = m.iter().position(|(k, _)| k == "roles") {
                let r = m.remove(i);
                m.push(r);
            }
            Y::Map(m)
        }
        other => other,
    }
}

fn role(name: &str) -> Y {
    Y::map().with("role", Y::str(name))
}

fn role_with(name: &str, vars: Y) -> Y {
    Y::map().with("role", Y::str(name)).with("vars", vars)
}

pub fn site(ir: &Ir, gs: &Groups) -> (Y, BTreeSet<&'static str>) {
    let g = order_graph(ir, gs);
    let mut plays = Vec::new();
    let mut used = BTreeSet::new();
    for phase in play_order(&g) {
        let mut add = |y: Y, r: &'static str| {
            used.insert(r);
            plays.push(roles_last(y));
        };
        match phase {
            Phase::Base => add(
                play(
                    "All nodes: base system, time, SSH and firewall",
                    "all",
                    vec![role("common")],
                ),
                "common",
            ),
            Phase::Storage => add(
                play(
                    "Storage: pools, exports, mounts and clusters",
                    "all",
                    vec![role("storage")],
                ),
                "storage",
            ),
            Phase::LoadBalancer => add(
                play(
                    "Load balancer: HAProxy in front of the API",
                    "loadbalancer",
                    vec![role("loadbalancer")],
                ),
                "loadbalancer",
            ),
            Phase::KubePrereqs => add(
                play(
                    "Kubernetes nodes: runtime and packages",
                    "k8s_cluster",
                    vec![role("kube_prereqs")],
                ),
                "kube_prereqs",
            ),
            Phase::InitControlPlane => add(
                play(
                    "First control plane: kubeadm init",
                    "control_plane[0]",
                    vec![role("kubeadm_init")],
                ),
                "kubeadm_init",
            ),
            Phase::JoinControlPlanes => {
                let p = play(
                    "Other control planes: join one at a time",
                    "control_plane[1:]",
                    vec![role_with(
                        "kubeadm_join",
                        Y::map().with("kubeadm_join_control_plane", Y::Bool(true)),
                    )],
                )
                .with("serial", Y::Int(1))
                .with("max_fail_percentage", Y::Int(0));
                add(p, "kubeadm_join");
            }
            Phase::JoinWorkers => {
                let p = play(
                    "Workers: join in batches",
                    "workers:!control_plane",
                    vec![role_with(
                        "kubeadm_join",
                        Y::map().with("kubeadm_join_control_plane", Y::Bool(false)),
                    )],
                )
                .with("serial", Y::str("20%"))
                .with("max_fail_percentage", Y::Int(20));
                add(p, "kubeadm_join");
            }
            Phase::Kubespray => {
                let p = Y::map()
                    .with("name", Y::str("Kubernetes: Kubespray's cluster playbook"))
                    .with(
                        "ansible.builtin.import_playbook",
                        Y::str("kubespray/cluster.yml"),
                    );
                plays.push(p);
            }
            Phase::Cni => add(
                play(
                    "Cluster network (CNI)",
                    "control_plane[0]",
                    vec![role("cni")],
                ),
                "cni",
            ),
            Phase::Addon(name) => add(
                play(
                    &format!("Addon {name}"),
                    "control_plane[0]",
                    vec![role_with(
                        "addons",
                        Y::map().with("addons_name", Y::str(&name)),
                    )],
                ),
                "addons",
            ),
            Phase::Tunnels => {
                for (kind, r) in [
                    (TunnelKind::Cloudflare, "cloudflared"),
                    (TunnelKind::Zerotier, "zerotier"),
                ] {
                    let hosts: Vec<String> = ir
                        .tunnels
                        .iter()
                        .filter(|t| t.kind.value == kind)
                        .map(|t| format!("tunnel_{}", super::inventory::group_name(&t.name)))
                        .collect();
                    let hosts: Vec<String> =
                        hosts.into_iter().filter(|h| gs.contains_key(h)).collect();
                    if !hosts.is_empty() {
                        let title = if r == "cloudflared" {
                            "Tunnels: Cloudflare"
                        } else {
                            "Tunnels: ZeroTier"
                        };
                        add(play(title, &hosts.join(":"), vec![role(r)]), r);
                    }
                }
            }
            Phase::Power => add(
                play(
                    "Power: Wake-on-LAN and idle sleep",
                    "power",
                    vec![role("power")],
                ),
                "power",
            ),
        }
    }
    (Y::List(plays), used)
}
