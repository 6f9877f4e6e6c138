//! `node` blocks: count expansion, hostnames from `${n}` templates,
//! consecutive or listed IPs and MACs, and automatic addresses.

use super::eval::{eval, Value};
use super::infra::{label, label_span};
use super::reader::{header_span, Reader};
use super::toplevel::TopLevel;
use super::Cx;
use crate::diag::{codes, Diagnostic};
use crate::ir::value::{ip_add, ip_to_u128, IpRange, Mac};
use crate::ir::*;
use crate::span::{Span, Spanned};
use crate::syntax::ast::{Block, ExprKind, Literal};
use compact_str::CompactString;
use rustc_hash::FxHashMap as HashMap;
use smallvec::SmallVec;
use std::collections::BTreeSet;
use std::net::IpAddr;

/// Most nodes one stack may expand to: far above any real fleet, low enough
/// that a typo like `count = 10000000000` is a diagnostic, not an OOM.
pub const MAX_NODES: u64 = 200_000;

pub fn lower(top: &TopLevel, ir: &mut Ir, cx: &mut Cx) {
    let mut total = 0u64;
    // Sized up front: a fleet's `Vec<Node>` doubling would briefly hold the
    // old and new buffers, at the point of the build's peak memory.
    let expected = expected_nodes(top.user("node"));
    ir.nodes.reserve_exact(expected);
    cx.names.nodes.reserve(expected + top.user("node").len());
    let mut by_name: HashMap<CompactString, Span> = HashMap::default();
    by_name.reserve(expected);
    for b in top.user("node") {
        let group_start = ir.nodes.len();
        lower_group(b, ir, cx, &mut total, &mut by_name);
        let ids: SmallVec<[NodeId; 1]> = (group_start..ir.nodes.len())
            .map(|i| NodeId(i as u32))
            .collect();
        for id in &ids {
            let name = CompactString::from(ir.nodes[id.index()].name.as_str());
            cx.names.nodes.entry(name).or_default().push(*id);
        }
        // A single node named by the label itself is entered already.
        let label_text = b.labels.first().map_or("", |l| l.value.as_str());
        let single = ids.len() == 1 && ir.nodes[ids[0].index()].name == label_text;
        if !single {
            cx.names.nodes.entry(label_text.into()).or_insert(ids);
        }
    }
    for ids in cx.names.nodes.values_mut() {
        ids.dedup();
    }
    assign_auto_ips(top, ir, cx);
    for n in &mut ir.nodes {
        let ip = n.ip.value;
        if let Some(vm) = n.vm.as_mut().filter(|vm| vm.id.value == 0) {
            vm.id.value = derived_vm_id(ip);
        }
    }
    cx.names.nodes_known = true;
}

/// How many nodes the blocks will expand to, as far as their `count` is a
/// plain integer (a guess for reserving; lowering still decides).
fn expected_nodes(blocks: &[&Block]) -> usize {
    let total: u64 = blocks
        .iter()
        .map(|b| match b.attribute("count").map(|a| &a.value.kind) {
            Some(ExprKind::Int(n)) => (*n).clamp(1, MAX_NODES),
            _ => 1,
        })
        .fold(0, u64::saturating_add);
    usize::try_from(total.min(MAX_NODES)).unwrap_or(0)
}

/// What one `node` block says, evaluated once for all its expansions.
struct Group {
    roles: Spanned<Vec<Role>>,
    os: Spanned<ImageId>,
    arch: Spanned<Arch>,
    network: Spanned<NetworkId>,
    labels: std::collections::BTreeMap<String, String>,
    taints: Vec<String>,
    vm: Option<Vm>,
}

fn lower_group(
    b: &Block,
    ir: &mut Ir,
    cx: &mut Cx,
    total: &mut u64,
    by_name: &mut HashMap<CompactString, Span>,
) {
    let mut r = Reader::new(b);
    let count = cx.opt::<u64>(&mut r, "count");
    let counted = count_ok(count.as_ref(), *total, cx);
    // A rejected count still reads the block (for its other findings) as one node.
    let n = if counted {
        count.as_ref().map_or(1, |c| c.value)
    } else {
        1
    };
    *total += n;
    let group = group_attrs(b, &mut r, ir, cx);
    let hostname = r.raw("hostname");
    let ips = per_node_ips(b, &mut r, n, cx);
    let power = r.blocks("power");
    let power = power.first().map(|p| lower_power(p, cx));
    cx.finish(r);
    let Some(group) = group.filter(|_| counted) else {
        return;
    };
    let group_label = label(b);
    for i in 1..=n {
        // Short names stay inline: no allocation until the IR's own copy.
        let name = if n == 1 {
            CompactString::from(group_label.as_str())
        } else {
            compact_str::format_compact!("{group_label}-{i}")
        };
        if let Some(first) = by_name.get(&name) {
            cx.push(
                Diagnostic::new(
                    &codes::DUPLICATE_NAME,
                    header_span(b),
                    format!("two nodes are named `{name}`"),
                )
                .label(if n > 1 {
                    format!("node {i} of {n} of this block is `{name}`")
                } else {
                    "defined again here".into()
                })
                .with_secondary(*first, "first defined here")
                .help("rename one of the blocks; counted nodes are named `label-1`, `label-2`, …"),
            );
            continue;
        }
        let name = {
            let owned = String::from(name.as_str());
            by_name.insert(name, header_span(b));
            owned
        };
        cx.index = (n > 1 || hostname.is_some()).then_some(i as u32);
        let host = hostname.map(|a| (eval(&a.value, cx), a.value.span));
        cx.index = None;
        let hostname = match host {
            Some((v, span)) => match v.value {
                Value::Str(s) => Spanned::new(s, span),
                Value::Invalid => Spanned::new(name.clone(), span),
                _ => {
                    cx.push(super::convert::mismatch("a string", &v));
                    Spanned::new(name.clone(), span)
                }
            },
            None => Spanned::new(name.clone(), label_span(b)),
        };
        let (ip, ip_auto) = match ips.as_ref().and_then(|v| v.get(i as usize - 1)) {
            Some(ip) => (ip.clone(), false),
            None => (
                Spanned::new(group.network_placeholder(ir), label_span(b)),
                true,
            ),
        };
        let power = power.as_ref().map(|p| Box::new(p.for_node(i as usize - 1)));
        ir.nodes.push(Node {
            name,
            hostname,
            group: group_label.clone(),
            index: i as u32,
            count: n as u32,
            roles: group.roles.clone(),
            os: group.os.clone(),
            arch: group.arch.clone(),
            network: group.network.clone(),
            ip,
            ip_auto,
            labels: group.labels.clone(),
            taints: group.taints.clone(),
            // An explicit `id` numbers a counted group consecutively.
            vm: group.vm.clone().map(|mut vm| {
                if vm.id.value != 0 {
                    vm.id.value += i - 1;
                }
                vm
            }),
            power,
            span: b.span,
            count_span: count.as_ref().map(|c| c.span),
        });
    }
}

impl Group {
    /// Stand-in until automatic addresses are assigned.
    fn network_placeholder(&self, ir: &Ir) -> IpAddr {
        ir.network(self.network.value).cidr.value.network()
    }
}

fn count_ok(count: Option<&Spanned<u64>>, total: u64, cx: &mut Cx) -> bool {
    let Some(c) = count else { return true };
    if c.value == 0 {
        cx.push(
            Diagnostic::new(&codes::TYPE_MISMATCH, c.span, "`count` must be at least 1")
                .label("zero nodes")
                .help("remove the block, or comment it out, to have no such node"),
        );
        return false;
    }
    if total.saturating_add(c.value) > MAX_NODES {
        cx.push(
            Diagnostic::new(
                &codes::TYPE_MISMATCH,
                c.span,
                format!("the stack would expand to more than {MAX_NODES} nodes"),
            )
            .label("this count passes the limit")
            .note("the limit keeps a typo from exhausting memory; see the book's \"Limits\" page"),
        );
        return false;
    }
    true
}

fn group_attrs(b: &Block, r: &mut Reader, ir: &Ir, cx: &mut Cx) -> Option<Group> {
    let roles = cx
        .list::<Role>(r, "roles")
        .map(|l| Spanned::new(l.value.into_iter().map(|x| x.value).collect(), l.span));
    if roles.is_none() && !r.has("roles") {
        cx.missing(
            b,
            "roles",
            "a list of control_plane, etcd, worker, loadbalancer, storage, monitoring",
        );
    }
    let os = if r.has("os") {
        cx.opt::<ImageId>(r, "os")
    } else {
        cx.names
            .images
            .get("ubuntu-24.04")
            .map(|id| Spanned::new(*id, label_span(b)))
    };
    let arch = cx
        .opt::<Arch>(r, "arch")
        .unwrap_or(Spanned::new(Arch::Amd64, label_span(b)));
    let network = if r.has("network") {
        cx.opt::<NetworkId>(r, "network")
    } else if ir.networks.len() == 1 {
        Some(Spanned::new(NetworkId(0), label_span(b)))
    } else {
        r.raw("network");
        cx.missing(
            b,
            "network",
            "a network reference, needed when the stack has other than one network",
        );
        None
    };
    let labels = match cx.value(r, "labels") {
        Some(v) => string_map(&v, cx),
        None => Default::default(),
    };
    let taints = cx
        .list::<String>(r, "taints")
        .map(|l| l.value.into_iter().map(|s| s.value).collect())
        .unwrap_or_default();
    let vm = r.blocks("vm").first().and_then(|v| lower_vm(v, ir, cx));
    Some(Group {
        roles: roles?,
        os: os?,
        arch,
        network: network?,
        labels,
        taints,
        vm,
    })
}

pub fn string_map(v: &super::eval::Sv, cx: &mut Cx) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    match &v.value {
        Value::Object(items) => {
            for (k, val) in items {
                if let Some(s) = cx.convert::<String>(val) {
                    out.insert(k.clone(), s.value);
                }
            }
        }
        Value::Invalid => {}
        _ => cx.push(super::convert::mismatch(
            "an object `{ key = \"value\" }`",
            v,
        )),
    }
    out
}

fn lower_vm(b: &Block, ir: &Ir, cx: &mut Cx) -> Option<Vm> {
    let mut r = Reader::new(b);
    let host = cx.req::<HypervisorId>(&mut r, "host");
    let explicit_id = cx.opt::<u64>(&mut r, "id");
    let at = b.kind.span;
    let cpu = cx
        .opt::<u64>(&mut r, "cpu")
        .unwrap_or(Spanned::new_at(at, 2));
    let memory = cx
        .opt(&mut r, "memory")
        .unwrap_or(Spanned::new_at(at, crate::ir::value::Size(2 << 30)));
    let disk = cx
        .opt(&mut r, "disk")
        .unwrap_or(Spanned::new_at(at, crate::ir::value::Size(32 << 30)));
    let datastore = cx.opt::<String>(&mut r, "datastore");
    cx.finish(r);
    let host = host?;
    let hv = ir.hypervisor(host.value);
    let datastore = datastore.unwrap_or_else(|| {
        Spanned::new(
            hv.datastores
                .first()
                .map_or_else(|| "local-lvm".to_string(), |d| d.name.clone()),
            b.kind.span,
        )
    });
    if !hv.datastores.is_empty() && !hv.datastores.iter().any(|d| d.name == datastore.value) {
        let names: Vec<String> = hv.datastores.iter().map(|d| d.name.clone()).collect();
        cx.push(
            super::convert::unknown("datastore", &datastore.value, &names, datastore.span).note(
                format!("hypervisor `{}` declares {}", hv.name, names.join(", ")),
            ),
        );
    }
    Some(Vm {
        id: explicit_id.unwrap_or(Spanned::new(0, b.kind.span)),
        host,
        cpu,
        memory,
        disk,
        datastore,
        span: b.span,
    })
}

/// A VM's Proxmox VMID when `vm { id }` is not given: 100 plus the low 24
/// bits of its address. Stable as long as the address is (a rename does not
/// replace the VM), unique within any /8, and readable back to the address.
pub fn derived_vm_id(ip: IpAddr) -> u64 {
    100 + (crate::ir::value::ip_to_u128(ip) & 0xff_ffff) as u64
}

/// One address per expanded node: consecutive from one address, or a list.
fn per_node_ips(b: &Block, r: &mut Reader, n: u64, cx: &mut Cx) -> Option<Vec<Spanned<IpAddr>>> {
    let v = cx.value(r, "ip")?;
    match &v.value {
        Value::List(_) => {
            let items = cx.items::<IpAddr>(&v)?;
            if items.len() as u64 != n {
                cx.push(
                    Diagnostic::new(
                        &codes::TYPE_MISMATCH,
                        v.span,
                        format!("{} addresses for {n} nodes", items.len()),
                    )
                    .label("one address per node is needed")
                    .with_secondary(header_span(b), format!("this block expands to {n} nodes"))
                    .help(
                        "give one address per node, or a single first address for consecutive ones",
                    ),
                );
                return None;
            }
            Some(items)
        }
        _ => {
            let first = cx.convert::<IpAddr>(&v)?;
            let mut out = Vec::with_capacity(n as usize);
            for i in 0..n {
                match ip_add(first.value, u128::from(i)) {
                    Some(ip) => out.push(Spanned::new(ip, v.span)),
                    None => {
                        cx.push(
                            Diagnostic::new(
                                &codes::COUNT_OVERFLOW,
                                v.span,
                                format!(
                                    "{n} consecutive addresses from {} run out of addresses",
                                    first.value
                                ),
                            )
                            .label("the last addresses do not exist"),
                        );
                        return None;
                    }
                }
            }
            Some(out)
        }
    }
}

struct PowerSpec {
    wake_on_lan: Spanned<bool>,
    macs: Vec<Spanned<Mac>>,
    mac_list: Option<Span>,
    sleep_after: Option<Spanned<crate::ir::value::Duration>>,
    span: Span,
}

impl PowerSpec {
    fn for_node(&self, i: usize) -> Power {
        Power {
            wake_on_lan: self.wake_on_lan.clone(),
            mac: self.macs.get(i).cloned(),
            macs_given: self.macs.len(),
            mac_list: self.mac_list,
            sleep_after: self.sleep_after.clone(),
            span: self.span,
        }
    }
}

fn lower_power(b: &Block, cx: &mut Cx) -> PowerSpec {
    let mut r = Reader::new(b);
    let wake_on_lan = cx
        .opt::<bool>(&mut r, "wake_on_lan")
        .unwrap_or(Spanned::new(false, b.kind.span));
    let mac_value = cx.value(&mut r, "mac");
    let mac_list = mac_value.as_ref().map(|v| v.span);
    let macs = match mac_value {
        Some(v) if matches!(v.value, Value::List(_)) => cx.items::<Mac>(&v).unwrap_or_default(),
        // A single MAC serves a single node; for counted nodes it is the first.
        Some(v) => cx.convert::<Mac>(&v).into_iter().collect(),
        None => Vec::new(),
    };
    let sleep_after = cx.opt(&mut r, "sleep_after");
    cx.finish(r);
    PowerSpec {
        wake_on_lan,
        macs,
        mac_list,
        sleep_after,
        span: b.span,
    }
}

/// Nodes without `ip` get the lowest free addresses of their network,
/// skipping the network, gateway and broadcast addresses, every static
/// address, the DHCP range and MetalLB pools.
fn assign_auto_ips(top: &TopLevel, ir: &mut Ir, cx: &mut Cx) {
    if ir.nodes.iter().all(|n| !n.ip_auto) {
        return;
    }
    let mut used: BTreeSet<u128> = ir
        .nodes
        .iter()
        .filter(|n| !n.ip_auto)
        .map(|n| ip_to_u128(n.ip.value))
        .collect();
    let pools = metallb_pools(top);
    let mut cursor: HashMap<NetworkId, u128> = HashMap::default();
    for i in 0..ir.nodes.len() {
        if !ir.nodes[i].ip_auto {
            continue;
        }
        let net_id = ir.nodes[i].network.value;
        let net = ir.network(net_id).clone();
        let reserved = |x: u128| {
            let ip = ip_from(x, net.cidr.value.network());
            net.gateway.as_ref().is_some_and(|g| g.value == ip)
                || net.dhcp.as_ref().is_some_and(|d| d.value.contains(ip))
                || pools.iter().any(|p| p.contains(ip))
        };
        let (first, last) = crate::ir::value::host_range(net.cidr.value);
        let mut x = *cursor.get(&net_id).unwrap_or(&first);
        while x <= last && (used.contains(&x) || reserved(x)) {
            x += 1;
        }
        if x > last {
            cx.push(
                Diagnostic::new(
                    &codes::COUNT_OVERFLOW,
                    label_span_of(&ir.nodes[i]),
                    format!(
                        "no free address left in network `{}` for {}",
                        net.name,
                        ir.nodes[i].describe()
                    ),
                )
                .label("needs an automatic address")
                .with_secondary(net.cidr.span, "this network is full")
                .help("use a larger network, or give the node an explicit `ip`"),
            );
            cursor.insert(net_id, x);
            continue;
        }
        used.insert(x);
        cursor.insert(net_id, x + 1);
        ir.nodes[i].ip.value = ip_from(x, net.cidr.value.network());
    }
}

fn label_span_of(n: &Node) -> Span {
    n.ip.span
}

fn ip_from(x: u128, family: IpAddr) -> IpAddr {
    match family {
        IpAddr::V4(_) => IpAddr::V4(u32::try_from(x).unwrap_or(u32::MAX).into()),
        IpAddr::V6(_) => IpAddr::V6(x.into()),
    }
}

/// MetalLB pools as written, so automatic addresses stay out of them.
fn metallb_pools(top: &TopLevel) -> Vec<IpRange> {
    let mut out = Vec::new();
    for b in top.user("addon").iter().filter(|b| label(b) == "metallb") {
        let Some(a) = b.attribute("pool") else {
            continue;
        };
        let exprs: Vec<&ExprKind> = match &a.value.kind {
            ExprKind::List(items) => items.iter().map(|e| &e.kind).collect(),
            k => vec![k],
        };
        for e in exprs {
            match e {
                ExprKind::Literal(Literal::Range(r)) => out.push(*r),
                ExprKind::Literal(Literal::Cidr(c)) => {
                    if let Some(r) = IpRange::new(c.network(), c.broadcast()) {
                        out.push(r);
                    }
                }
                _ => {}
            }
        }
    }
    out
}
