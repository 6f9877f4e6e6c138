//! The IP plan, over one [`Planner`]: node addresses against each other
//! (E0303), against DHCP ranges (E0305), gateways and reserved addresses
//! (E0304), their networks (E0302, E0306), and MetalLB pools against all of
//! them (E0308). MAC addresses are checked for duplicates here too.

use super::planner::{Interval, Kind, Planner};
use crate::diag::{codes, Diagnostic, Sink};
use crate::ir::value::{ip_add, ip_to_u128, Cidr};
use crate::ir::{Ir, Network, Node};
use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;

pub fn check(ir: &Ir, sink: &mut Sink) {
    let overflowed = count_overflow(ir, sink);
    outside_and_reserved(ir, &overflowed, sink);
    gateways_and_dns(ir, sink);
    let planner = build(ir);
    conflicts(ir, &planner, sink);
    pools_outside(ir, sink);
    duplicate_macs(ir, sink);
}

fn net_of<'a>(ir: &'a Ir, n: &Node) -> &'a Network {
    ir.network(n.network.value)
}

/// Usable host addresses of a network (all of a /31 or /32).
fn usable(c: Cidr) -> (u128, u128) {
    let (first, last) = (ip_to_u128(c.network()), ip_to_u128(c.broadcast()));
    if c.max_prefix_len() - c.prefix_len() <= 1 {
        (first, last)
    } else {
        (
            first + 1,
            if c.network().is_ipv4() {
                last - 1
            } else {
                last
            },
        )
    }
}

/// E0306: a counted group whose consecutive addresses start inside its
/// network and run past it. Returns the groups reported, so E0302 does not
/// repeat them node by node.
fn count_overflow(ir: &Ir, sink: &mut Sink) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut last_of: HashMap<&str, &Node> = HashMap::new();
    for n in ir.nodes.iter().filter(|n| n.count > 1 && !n.ip_auto) {
        last_of.insert(&n.group, n);
    }
    for (group, last) in last_of {
        let net = net_of(ir, last);
        let first = ir
            .nodes
            .iter()
            .find(|n| n.group == group)
            .map(|n| n.ip.value);
        let (lo, hi) = usable(net.cidr.value);
        let Some(first) = first.filter(|f| {
            (lo..=hi).contains(&ip_to_u128(*f)) && f.is_ipv4() == last.ip.value.is_ipv4()
        }) else {
            continue;
        };
        // Only consecutive addresses share the `ip` span; a list is per node.
        if last.ip.span
            != ir
                .nodes
                .iter()
                .find(|n| n.group == group)
                .map_or(last.ip.span, |n| n.ip.span)
        {
            continue;
        }
        if ip_to_u128(last.ip.value) > hi {
            let room = hi - ip_to_u128(first) + 1;
            let latest = ip_add(
                net.cidr.value.network(),
                hi - u128::from(last.count) + 1 - ip_to_u128(net.cidr.value.network()),
            );
            let mut d = Diagnostic::new(
                &codes::COUNT_OVERFLOW,
                last.ip.span,
                format!(
                    "{} consecutive addresses from {first} run past the end of `{}`",
                    last.count, net.cidr.value
                ),
            )
            .label(format!(
                "only {room} fit: `{}` would be {}",
                last.name, last.ip.value
            ))
            .with_secondary(net.cidr.span, format!("network `{}`", net.name));
            d = match latest {
                Some(l) if ip_to_u128(l) >= lo => {
                    d.help(format!("start at {l} or lower, or use a larger network"))
                }
                _ => d.help("use a larger network or fewer nodes"),
            };
            sink.push(d);
            out.insert(group.to_string());
        }
    }
    out
}

/// E0302 (node outside its network) and E0304 (node on the network or
/// broadcast address).
fn outside_and_reserved(ir: &Ir, overflowed: &BTreeSet<String>, sink: &mut Sink) {
    for n in ir.nodes.iter().filter(|n| !n.ip_auto) {
        let net = net_of(ir, n);
        let c = net.cidr.value;
        let ip = n.ip.value;
        if !c.contains(&ip) {
            if !overflowed.contains(&n.group) {
                sink.push(
                    Diagnostic::new(
                        &codes::OUTSIDE_NETWORK,
                        n.ip.span,
                        format!(
                            "{} has address {ip}, outside its network `{}` ({c})",
                            n.describe(),
                            net.name
                        ),
                    )
                    .label(format!("not in {c}"))
                    .with_secondary(n.network.span, "the node's network")
                    .help(format!(
                        "use an address in {c}, or attach the node to the network that holds {ip}"
                    )),
                );
            }
            continue;
        }
        let (lo, hi) = usable(c);
        let x = ip_to_u128(ip);
        if x < lo || x > hi {
            let what = if x < lo {
                "the network address"
            } else {
                "the broadcast address"
            };
            sink.push(
                Diagnostic::new(
                    &codes::RESERVED_ADDRESS,
                    n.ip.span,
                    format!(
                        "{} has address {ip}, {what} of `{}`",
                        n.describe(),
                        net.name
                    ),
                )
                .label(format!("{what} of {c}"))
                .help(format!(
                    "hosts use {} to {}",
                    ip_add(c.network(), lo - ip_to_u128(c.network()))
                        .map_or(String::new(), |i| i.to_string()),
                    ip_add(c.network(), hi - ip_to_u128(c.network()))
                        .map_or(String::new(), |i| i.to_string())
                )),
            );
        }
    }
}

/// E0302 for gateways and DHCP ranges outside their network, and DNS servers
/// that are neither in the network nor reachable through a gateway.
fn gateways_and_dns(ir: &Ir, sink: &mut Sink) {
    for net in &ir.networks {
        let c = net.cidr.value;
        if let Some(g) = net.gateway.as_ref().filter(|g| !c.contains(&g.value)) {
            sink.push(
                Diagnostic::new(
                    &codes::OUTSIDE_NETWORK,
                    g.span,
                    format!("the gateway {} of `{}` is outside {c}", g.value, net.name),
                )
                .label("a gateway must be on its network")
                .with_secondary(net.cidr.span, "the network"),
            );
        }
        if let Some(d) = net
            .dhcp
            .as_ref()
            .filter(|d| !(c.contains(&d.value.start) && c.contains(&d.value.end)))
        {
            sink.push(
                Diagnostic::new(
                    &codes::OUTSIDE_NETWORK,
                    d.span,
                    format!(
                        "the DHCP range {} of `{}` is not inside {c}",
                        d.value, net.name
                    ),
                )
                .label("outside the network")
                .with_secondary(net.cidr.span, "the network"),
            );
        }
        if net.gateway.is_none() {
            for dns in net.dns.iter().filter(|d| !c.contains(&d.value)) {
                sink.push(
                    Diagnostic::new(
                        &codes::OUTSIDE_NETWORK,
                        dns.span,
                        format!(
                            "DNS server {} is outside `{}` and the network has no gateway",
                            dns.value, net.name
                        ),
                    )
                    .label("unreachable from this network")
                    .help("set the network's `gateway`, or use a DNS server on the network"),
                );
            }
        }
    }
}

fn build(ir: &Ir) -> Planner {
    let mut p = Planner::default();
    for (i, n) in ir.nodes.iter().enumerate() {
        p.add(Interval::point(
            n.ip.value,
            Kind::Node(i as u32),
            n.describe(),
            n.ip.span,
        ));
    }
    for (i, net) in ir.networks.iter().enumerate() {
        if let Some(g) = &net.gateway {
            p.add(Interval::point(
                g.value,
                Kind::Gateway(i as u32),
                format!("the gateway of `{}`", net.name),
                g.span,
            ));
        }
        if let Some(d) = &net.dhcp {
            p.add(Interval::range(
                d.value,
                Kind::Dhcp(i as u32),
                format!("the DHCP range of `{}` ({})", net.name, d.value),
                d.span,
            ));
        }
    }
    for (ai, a) in ir.addons.iter().enumerate() {
        for (pi, pool) in a.settings.pool.iter().enumerate() {
            p.add(Interval::range(
                pool.value,
                Kind::Pool(ai as u32, pi as u32),
                format!("the MetalLB pool {}", pool.value),
                pool.span,
            ));
        }
    }
    p
}

fn conflicts(ir: &Ir, p: &Planner, sink: &mut Sink) {
    let free = FreeAddresses::new(ir, p);
    for (a, b) in p.conflicts() {
        let (mut a, mut b) = (&p.intervals[a], &p.intervals[b]);
        // Report on the party to move: the pool, else the node.
        if rank(a.kind) < rank(b.kind) {
            std::mem::swap(&mut a, &mut b);
        }
        let Some(d) = diagnose(ir, a, b, &free) else {
            continue;
        };
        sink.push(d);
    }
}

fn rank(k: Kind) -> u8 {
    match k {
        Kind::Pool(..) => 3,
        Kind::Node(_) => 2,
        Kind::Gateway(_) => 1,
        Kind::Dhcp(_) | Kind::Cidr(_) => 0,
    }
}

/// `a` is the party the finding is reported on.
fn diagnose(ir: &Ir, a: &Interval, b: &Interval, free: &FreeAddresses) -> Option<Diagnostic> {
    let x = a.start.max(b.start);
    let shared = || {
        if a.v6 {
            IpAddr::V6(x.into())
        } else {
            IpAddr::V4(u32::try_from(x).unwrap_or(0).into())
        }
    };
    let (code, msg) = match (a.kind, b.kind) {
        (Kind::Node(_), Kind::Node(_)) => (
            &codes::DUPLICATE_ADDRESS,
            format!("{} is used by {} and by {}", shared(), b.owner, a.owner),
        ),
        (Kind::Node(_), Kind::Gateway(_)) => (
            &codes::RESERVED_ADDRESS,
            format!("{} of {} is {}", shared(), a.owner, b.owner),
        ),
        (Kind::Node(_), Kind::Dhcp(_)) => (
            &codes::DHCP_CONFLICT,
            format!("{} of {} is inside {}", shared(), a.owner, b.owner),
        ),
        (Kind::Pool(..), _) => (
            &codes::POOL_CONFLICT,
            format!("{} overlaps {}", a.owner, b.owner),
        ),
        _ => return None,
    };
    let mut d = Diagnostic::new(code, a.span, msg)
        .label("here")
        .with_secondary(b.span, format!("{} is here", b.owner));
    if let Kind::Node(i) = a.kind {
        if let Some(next) = free.next(ir, &ir.nodes[i as usize]) {
            d = d.help(format!(
                "the next free address in `{}` is {next}",
                ir.network(ir.nodes[i as usize].network.value).name
            ));
        }
    } else {
        d = d.help("move the pool to addresses no node, gateway or DHCP range uses");
    }
    Some(d)
}

/// The lowest unused address of each network, for "next free" help.
struct FreeAddresses {
    used: BTreeSet<(bool, u128)>,
}

impl FreeAddresses {
    fn new(_ir: &Ir, p: &Planner) -> Self {
        let mut used = BTreeSet::new();
        for iv in &p.intervals {
            // Ranges are few and small (DHCP, pools); cap to keep this bounded.
            let end = iv.end.min(iv.start + 65_536);
            for x in iv.start..=end {
                used.insert((iv.v6, x));
            }
        }
        FreeAddresses { used }
    }

    fn next(&self, ir: &Ir, n: &Node) -> Option<IpAddr> {
        let c = ir.network(n.network.value).cidr.value;
        let (lo, hi) = usable(c);
        let v6 = c.network().is_ipv6();
        let mut x = lo;
        for &(_, u) in self.used.range((v6, lo)..=(v6, hi)) {
            if u != x {
                break;
            }
            x += 1;
        }
        (x <= hi)
            .then(|| ip_add(c.network(), x - ip_to_u128(c.network())))
            .flatten()
    }
}

/// E0308: a pool must lie inside a network that holds nodes (layer-2 mode
/// answers ARP for pool addresses on the nodes' segment).
fn pools_outside(ir: &Ir, sink: &mut Sink) {
    let node_nets: BTreeSet<u32> = ir.nodes.iter().map(|n| n.network.value.0).collect();
    for a in &ir.addons {
        for pool in &a.settings.pool {
            let inside = ir.networks.iter().enumerate().any(|(i, net)| {
                node_nets.contains(&(i as u32))
                    && net.cidr.value.contains(&pool.value.start)
                    && net.cidr.value.contains(&pool.value.end)
            });
            if !inside {
                let nets: Vec<String> = node_nets
                    .iter()
                    .map(|i| {
                        format!(
                            "`{}` ({})",
                            ir.networks[*i as usize].name, ir.networks[*i as usize].cidr.value
                        )
                    })
                    .collect();
                sink.push(
                    Diagnostic::new(
                        &codes::POOL_CONFLICT,
                        pool.span,
                        format!(
                            "the MetalLB pool {} is outside every node network",
                            pool.value
                        ),
                    )
                    .label("not inside a network that holds nodes")
                    .help(format!(
                        "in layer-2 mode the pool must be on the nodes' network: {}",
                        nets.join(", ")
                    )),
                );
            }
        }
    }
}

/// E0303 for MAC addresses (Wake-on-LAN).
fn duplicate_macs(ir: &Ir, sink: &mut Sink) {
    let mut seen: HashMap<crate::ir::value::Mac, &Node> = HashMap::new();
    for n in &ir.nodes {
        let Some(mac) = n.power.as_ref().and_then(|p| p.mac.as_ref()) else {
            continue;
        };
        if let Some(first) = seen.get(&mac.value) {
            let first_span = first
                .power
                .as_ref()
                .and_then(|p| p.mac.as_ref())
                .map_or(first.span, |m| m.span);
            sink.push(
                Diagnostic::new(
                    &codes::DUPLICATE_ADDRESS,
                    mac.span,
                    format!(
                        "MAC {} is used by {} and by {}",
                        mac.value,
                        first.describe(),
                        n.describe()
                    ),
                )
                .label("used again here")
                .with_secondary(first_span, "first used here")
                .help("every node needs its own NIC's MAC: read it with `ip link` on the machine"),
            );
        } else {
            seen.insert(mac.value, n);
        }
    }
}
