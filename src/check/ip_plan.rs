//! The IP plan, over one [`Planner`]: node addresses against each other
//! (E0303), against DHCP ranges (E0305), gateways and reserved addresses
//! (E0304), their networks (E0302, E0306), and MetalLB pools against all of
//! them (E0308). MAC addresses are checked for duplicates here too.
//!
//! Findings about the nodes of one counted group share a span (the `ip`
//! written once); they are reported once per group, naming every node.

use super::planner::{Interval, Kind, Planner};
use crate::diag::{codes, Code, Diagnostic, Sink};
use crate::ir::value::{host_range, ip_add, ip_to_u128, Cidr};
use crate::ir::{Ir, Network, Node};
use crate::span::Span;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

pub fn check(ir: &Ir, sink: &mut Sink) {
    let overflowed = count_overflow(ir, sink);
    outside_and_reserved(ir, &overflowed, sink);
    gateways_and_dns(ir, sink);
    let planner = build(ir);
    conflicts(ir, &planner, sink);
    pools(ir, sink);
    duplicate_macs(ir, sink);
}

fn net_of<'a>(ir: &'a Ir, n: &Node) -> &'a Network {
    ir.network(n.network.value)
}

/// The address `x` (a number) in the family of `c`.
fn addr(c: Cidr, x: u128) -> Option<IpAddr> {
    ip_add(c.network(), x.checked_sub(ip_to_u128(c.network()))?)
}

/// E0306: a counted group whose consecutive addresses start inside its
/// network and run past its last host address. Returns the groups reported,
/// so their nodes are not reported again by E0302/E0304.
fn count_overflow(ir: &Ir, sink: &mut Sink) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    // The nodes of each counted group with consecutive addresses (one span).
    let mut groups: BTreeMap<&str, Vec<&Node>> = BTreeMap::new();
    for n in ir.nodes.iter().filter(|n| n.count > 1 && !n.ip_auto) {
        groups.entry(&n.group).or_default().push(n);
    }
    for (group, nodes) in groups {
        let (first_node, last) = (nodes[0], nodes[nodes.len() - 1]);
        if first_node.ip.span != last.ip.span {
            continue;
        }
        let net = net_of(ir, last);
        let c = net.cidr.value;
        let (lo, hi) = host_range(c);
        let first = ip_to_u128(first_node.ip.value);
        if first_node.ip.value.is_ipv4() != c.network().is_ipv4() || !(lo..=hi).contains(&first) {
            continue;
        }
        let Some(over) = nodes.iter().find(|n| ip_to_u128(n.ip.value) > hi) else {
            continue;
        };
        let room = hi - first + 1;
        let what =
            if c.network().is_ipv4() && ip_to_u128(over.ip.value) == ip_to_u128(c.broadcast()) {
                "the broadcast address"
            } else {
                "outside the network"
            };
        let mut d = Diagnostic::new(
            &codes::COUNT_OVERFLOW,
            last.ip.span,
            format!(
                "{} consecutive addresses from {} run past the end of network `{}` ({c})",
                last.count, first_node.ip.value, net.name
            ),
        )
        .label(format!(
            "only {room} fit: `{}` would get {} ({what})",
            over.name, over.ip.value
        ))
        .with_secondary(net.cidr.span, format!("network `{}`", net.name));
        d = match (hi + 1)
            .checked_sub(u128::from(last.count))
            .filter(|x| *x >= lo)
            .and_then(|x| addr(c, x))
        {
            Some(l) => d.help(format!("start at {l} or lower, or use a larger network")),
            None => d.help("use a larger network or fewer nodes"),
        };
        sink.push(d);
        out.insert(group.to_string());
    }
    out
}

/// E0302 (node outside its network) and E0304 (node on the network or
/// broadcast address).
fn outside_and_reserved(ir: &Ir, overflowed: &BTreeSet<String>, sink: &mut Sink) {
    let mut findings = Grouped::default();
    for n in ir
        .nodes
        .iter()
        .filter(|n| !n.ip_auto && !overflowed.contains(&n.group))
    {
        let net = net_of(ir, n);
        let c = net.cidr.value;
        let ip = n.ip.value;
        if !c.contains(&ip) {
            let d = Diagnostic::new(&codes::OUTSIDE_NETWORK, n.ip.span, String::new())
                .label(format!("not in {c}"))
                .with_secondary(net.cidr.span, format!("network `{}`", net.name))
                .help(format!(
                    "use an address in {c}, or put the node on the network that holds {ip}"
                ));
            findings.add(d, n, format!("outside its network `{}` ({c})", net.name));
            continue;
        }
        let (lo, hi) = host_range(c);
        let x = ip_to_u128(ip);
        if x < lo || x > hi {
            let what = if x < lo {
                "the network address"
            } else {
                "the broadcast address"
            };
            let d = Diagnostic::new(&codes::RESERVED_ADDRESS, n.ip.span, String::new())
                .label(format!("{what} of {c}"))
                .help(format!(
                    "hosts of `{}` use {} to {}",
                    net.name,
                    addr(c, lo).map_or(String::new(), |i| i.to_string()),
                    addr(c, hi).map_or(String::new(), |i| i.to_string())
                ));
            findings.add(d, n, format!("on {what} of `{}`", net.name));
        }
    }
    findings.emit(sink);
}

/// Node findings that share a span (a counted group's `ip`) become one
/// diagnostic naming all the nodes and addresses.
/// (primary span, code, secondary span): the identity of a grouped finding.
type GroupKey = (Span, &'static str, Option<Span>);

#[derive(Default)]
struct Grouped<'a> {
    by_key: BTreeMap<GroupKey, (Diagnostic, Vec<&'a Node>, String)>,
}

impl<'a> Grouped<'a> {
    fn add(&mut self, d: Diagnostic, n: &'a Node, what: String) {
        let key = (
            d.primary.span,
            d.code.code,
            d.secondary.first().map(|l| l.span),
        );
        self.by_key
            .entry(key)
            .or_insert((d, Vec::new(), what))
            .1
            .push(n);
    }

    fn emit(self, sink: &mut Sink) {
        for (_, (mut d, nodes, what)) in self.by_key {
            d.message = match nodes.as_slice() {
                [one] => format!("{} has address {}, {what}", one.describe(), one.ip.value),
                many => {
                    let list: Vec<String> = many
                        .iter()
                        .map(|n| format!("`{}` ({})", n.name, n.ip.value))
                        .collect();
                    format!(
                        "{} nodes of `{}` are {what}: {}",
                        many.len(),
                        many[0].group,
                        list.join(", ")
                    )
                }
            };
            sink.push(d);
        }
    }
}

/// E0302 for gateways and DHCP ranges outside their network, and DNS servers
/// that are neither in the network nor reachable through a gateway.
fn gateways_and_dns(ir: &Ir, sink: &mut Sink) {
    for net in &ir.networks {
        let c = net.cidr.value;
        let (lo, hi) = host_range(c);
        if let Some(g) = net.gateway.as_ref().filter(|g| !c.contains(&g.value)) {
            sink.push(
                Diagnostic::new(
                    &codes::OUTSIDE_NETWORK,
                    g.span,
                    format!("the gateway {} of `{}` is outside {c}", g.value, net.name),
                )
                .label("a gateway must be on its network")
                .with_secondary(net.cidr.span, "the network")
                .help(format!(
                    "the usual gateway is {}",
                    addr(c, lo).map_or(String::new(), |i| i.to_string())
                )),
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
                .with_secondary(net.cidr.span, "the network")
                .help(format!(
                    "keep the range within {} to {}",
                    addr(c, lo).map_or(String::new(), |i| i.to_string()),
                    addr(c, hi).map_or(String::new(), |i| i.to_string())
                )),
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
        // A node's owner text is written only for a finding (see `owner`):
        // formatting it for every node of a fleet cost more than the sweep.
        p.add(Interval::point(
            n.ip.value,
            Kind::Node(i as u32),
            String::new(),
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

/// A conflict finding, the (who, address) pairs it covers, and its summary.
type Conflict = (Diagnostic, Vec<(String, IpAddr)>, String);

/// Who holds an interval, for messages: nodes are described on demand.
fn owner<'a>(ir: &Ir, iv: &'a Interval) -> Cow<'a, str> {
    match iv.kind {
        Kind::Node(i) => Cow::Owned(ir.nodes[i as usize].describe()),
        _ => Cow::Borrowed(&iv.owner),
    }
}

fn conflicts(ir: &Ir, p: &Planner, sink: &mut Sink) {
    // Built on the first conflict only: a clean plan never needs it.
    let mut free = None;
    // (code, primary span, secondary span) → the finding and its addresses.
    let mut grouped: BTreeMap<(&'static str, Span, Span), Conflict> = BTreeMap::new();
    for (a, b) in p.conflicts() {
        let (mut a, mut b) = (&p.intervals[a], &p.intervals[b]);
        // Report on the party to move: a pool, else the node declared later.
        if (rank(a.kind), a.span) < (rank(b.kind), b.span) {
            std::mem::swap(&mut a, &mut b);
        }
        let free = free.get_or_insert_with(|| FreeAddresses::new(p));
        let Some((code, d)) = diagnose(ir, a, b, free) else {
            continue;
        };
        let shared = shared_addr(a, b);
        let key = (code.code, a.span, b.span);
        let names = match (a.kind, b.kind) {
            (Kind::Node(x), Kind::Node(y)) => format!(
                "`{}` and `{}`",
                ir.nodes[y as usize].name, ir.nodes[x as usize].name
            ),
            (Kind::Node(x), _) | (_, Kind::Node(x)) => format!("`{}`", ir.nodes[x as usize].name),
            _ => b.owner.clone(),
        };
        let (a_owner, b_owner) = (owner(ir, a), owner(ir, b));
        let summary = match code.code {
            "E0303" => "addresses are each used twice".to_string(),
            "E0305" => format!("nodes are inside {b_owner}"),
            _ => format!("addresses conflict with {a_owner}"),
        };
        grouped
            .entry(key)
            .or_insert((d, Vec::new(), summary))
            .1
            .push((names, shared));
    }
    for (_, (mut d, hits, summary)) in grouped {
        // Nodes of one counted group share a span: one finding names them all.
        if hits.len() > 1 {
            let list: Vec<String> = hits
                .iter()
                .map(|(who, ip)| format!("{ip} ({who})"))
                .collect();
            d.message = format!("{} {summary}: {}", hits.len(), list.join(", "));
        }
        sink.push(d);
    }
}

fn shared_addr(a: &Interval, b: &Interval) -> IpAddr {
    let x = a.start.max(b.start);
    if a.v6 {
        IpAddr::V6(x.into())
    } else {
        IpAddr::V4(u32::try_from(x).unwrap_or(0).into())
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
fn diagnose(
    ir: &Ir,
    a: &Interval,
    b: &Interval,
    free: &FreeAddresses,
) -> Option<(&'static Code, Diagnostic)> {
    let shared = shared_addr(a, b);
    let (a_owner, b_owner) = (owner(ir, a), owner(ir, b));
    let (code, msg, label): (&'static Code, String, String) = match (a.kind, b.kind) {
        (Kind::Node(_), Kind::Node(_)) => (
            &codes::DUPLICATE_ADDRESS,
            format!("{shared} is used by {b_owner} and by {a_owner}"),
            "used again here".into(),
        ),
        (Kind::Node(_), Kind::Gateway(_)) => (
            &codes::RESERVED_ADDRESS,
            format!("{shared} of {a_owner} is {b_owner}"),
            "the gateway's address".into(),
        ),
        (Kind::Node(_), Kind::Dhcp(_)) => (
            &codes::DHCP_CONFLICT,
            format!("{shared} of {a_owner} is inside {b_owner}"),
            "the router may lease this address".into(),
        ),
        (Kind::Pool(..), Kind::Pool(..)) => (
            &codes::POOL_CONFLICT,
            format!("{a_owner} overlaps {b_owner}"),
            "overlaps another pool".into(),
        ),
        (Kind::Pool(..), _) => (
            &codes::POOL_CONFLICT,
            format!("{a_owner} overlaps {b_owner}"),
            format!("{shared} is taken"),
        ),
        _ => return None,
    };
    let mut d = Diagnostic::new(code, a.span, msg)
        .label(label)
        .with_secondary(b.span, format!("{b_owner} is here"));
    d = match (a.kind, b.kind) {
        (Kind::Node(i), _) => {
            let n = &ir.nodes[i as usize];
            match free.next(ir.network(n.network.value).cidr.value) {
                Some(next) => d.help(format!(
                    "the next free address in `{}` is {next}",
                    ir.network(n.network.value).name
                )),
                None => d.help(format!(
                    "network `{}` has no free address left",
                    ir.network(n.network.value).name
                )),
            }
        }
        (Kind::Pool(..), Kind::Pool(..)) => d.help("merge the pools, or make them disjoint"),
        _ => d.help("move the pool to addresses no node, gateway or DHCP range uses"),
    };
    Some((code, d))
}

/// Every address in use, for "the next free address" help.
struct FreeAddresses {
    used: BTreeSet<(bool, u128)>,
    ranges: Vec<(bool, u128, u128)>,
}

impl FreeAddresses {
    fn new(p: &Planner) -> Self {
        let mut used = BTreeSet::new();
        let mut ranges = Vec::new();
        for iv in &p.intervals {
            if iv.start == iv.end {
                used.insert((iv.v6, iv.start));
            } else {
                ranges.push((iv.v6, iv.start, iv.end));
            }
        }
        FreeAddresses { used, ranges }
    }

    fn taken(&self, v6: bool, x: u128) -> Option<u128> {
        if self.used.contains(&(v6, x)) {
            return Some(x + 1);
        }
        self.ranges
            .iter()
            .find(|r| r.0 == v6 && r.1 <= x && x <= r.2)
            .map(|r| r.2 + 1)
    }

    /// The lowest host address of `c` that nothing uses.
    fn next(&self, c: Cidr) -> Option<IpAddr> {
        let (lo, hi) = host_range(c);
        let v6 = c.network().is_ipv6();
        let mut x = lo;
        while x <= hi {
            match self.taken(v6, x) {
                Some(next) => x = next,
                None => return addr(c, x),
            }
        }
        None
    }
}

/// E0308 beyond overlaps: a pool must lie inside a network that holds nodes
/// (layer-2 mode answers ARP for pool addresses on the nodes' segment), and
/// must not include that network's network or broadcast address.
fn pools(ir: &Ir, sink: &mut Sink) {
    let node_nets: BTreeSet<u32> = ir.nodes.iter().map(|n| n.network.value.0).collect();
    for a in &ir.addons {
        for pool in &a.settings.pool {
            let home = ir.networks.iter().enumerate().find(|(i, net)| {
                node_nets.contains(&(*i as u32))
                    && net.cidr.value.contains(&pool.value.start)
                    && net.cidr.value.contains(&pool.value.end)
            });
            let Some((_, net)) = home else {
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
                continue;
            };
            let (lo, hi) = host_range(net.cidr.value);
            if ip_to_u128(pool.value.start) < lo || ip_to_u128(pool.value.end) > hi {
                sink.push(
                    Diagnostic::new(
                        &codes::POOL_CONFLICT,
                        pool.span,
                        format!(
                            "the MetalLB pool {} includes the network or broadcast address of `{}`",
                            pool.value, net.name
                        ),
                    )
                    .label("these addresses cannot be assigned to a service")
                    .with_secondary(net.cidr.span, format!("network `{}`", net.name))
                    .help(format!(
                        "keep the pool within {} to {}",
                        addr(net.cidr.value, lo).map_or(String::new(), |i| i.to_string()),
                        addr(net.cidr.value, hi).map_or(String::new(), |i| i.to_string())
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
