//! `site`, `hypervisor`, `network`, `image` and `versions` blocks.

use super::eval::{eval, Value};
use super::reader::{header_span, Reader};
use super::toplevel::TopLevel;
use super::Cx;
use crate::diag::{codes, Diagnostic};
use crate::ir::value::Cidr;
use crate::ir::*;
use crate::span::{Span, Spanned};
use crate::syntax::ast::{Block, Literal};
use std::collections::BTreeMap;
use std::net::IpAddr;

pub fn lower(top: &TopLevel, ir: &mut Ir, cx: &mut Cx) {
    if let Some(site) = top.user("site").first() {
        ir.site = lower_site(site, cx);
    }
    for extra in top.user("site").iter().skip(1) {
        cx.push(
            Diagnostic::new(
                &codes::DUPLICATE_NAME,
                header_span(extra),
                "a stack has one `site`",
            )
            .label("second site")
            .with_secondary(header_span(top.user("site")[0]), "the site is defined here")
            .help("one stack describes one site; split the files into two stacks"),
        );
    }
    if ir.site.timezone.is_empty() {
        ir.site = Site {
            timezone: "UTC".into(),
            admin_user: "ops".into(),
            ..ir.site.clone()
        };
    }
    for b in top.user("hypervisor") {
        if let Some(h) = lower_hypervisor(b, cx) {
            cx.names
                .hypervisors
                .insert(h.name.clone(), HypervisorId(ir.hypervisors.len() as u32));
            ir.hypervisors.push(h);
        }
    }
    // Network CIDRs first, so `cidrhost(network.x, …)` works anywhere.
    for b in top.user("network") {
        if let Some(info) = cx.quiet(|cx| network_info(b, cx)) {
            cx.names.network_info.insert(label(b), info);
        }
    }
    for b in top.user("network") {
        if let Some(n) = lower_network(b, cx) {
            cx.names
                .networks
                .insert(n.name.clone(), NetworkId(ir.networks.len() as u32));
            ir.networks.push(n);
        }
    }
    // The user's images replace stdlib images of the same name.
    let user: Vec<String> = top.user("image").iter().map(|b| label(b)).collect();
    for (b, builtin) in top
        .std("image")
        .iter()
        .filter(|b| !user.contains(&label(b)))
        .map(|b| (b, true))
        .chain(top.user("image").iter().map(|b| (b, false)))
    {
        if let Some(img) = lower_image(b, builtin, cx) {
            cx.names
                .images
                .insert(img.name.clone(), ImageId(ir.images.len() as u32));
            ir.images.push(img);
        }
    }
    let user: Vec<String> = top.user("versions").iter().map(|b| label(b)).collect();
    for (b, builtin) in top
        .std("versions")
        .iter()
        .filter(|b| !user.contains(&label(b)))
        .map(|b| (b, true))
        .chain(top.user("versions").iter().map(|b| (b, false)))
    {
        if let Some(v) = lower_versions(b, builtin, cx) {
            ir.cni_versions.push(v);
        }
    }
}

pub fn label(b: &Block) -> String {
    b.labels
        .first()
        .map(|l| String::from(l.value.as_str()))
        .unwrap_or_default()
}

fn lower_site(b: &Block, cx: &mut Cx) -> Site {
    let mut r = Reader::new(b);
    let domain = cx.opt::<String>(&mut r, "domain").map(|s| s.value);
    let timezone = cx
        .opt::<String>(&mut r, "timezone")
        .map_or_else(|| "UTC".into(), |s| s.value);
    let admin_user = cx
        .opt::<String>(&mut r, "admin_user")
        .map_or_else(|| "ops".into(), |s| s.value);
    let ssh_keys = cx
        .list::<String>(&mut r, "ssh_keys")
        .map(|l| l.value.into_iter().map(|s| s.value).collect())
        .unwrap_or_default();
    let state = r
        .blocks("state")
        .first()
        .map(|s| lower_state(s, cx))
        .unwrap_or_default();
    cx.finish(r);
    Site {
        name: label(b),
        domain,
        timezone,
        admin_user,
        ssh_keys,
        state,
        span: b.span,
    }
}

/// `state { backend = s3 … }`: the backend symbol and its settings as strings.
fn lower_state(b: &Block, cx: &mut Cx) -> State {
    let mut r = Reader::new(b);
    let backend = cx
        .opt::<StateBackend>(&mut r, "backend")
        .map_or(StateBackend::Local, |s| s.value);
    let mut settings = BTreeMap::new();
    const KEYS: &[&str] = &[
        "bucket",
        "key",
        "region",
        "endpoint",
        "path",
        "address",
        "scheme",
        "conn_str",
        "schema_name",
        "lock_address",
        "unlock_address",
    ];
    for key in KEYS {
        if let Some(v) = cx.opt::<String>(&mut r, key) {
            settings.insert(key.to_string(), v.value);
        }
    }
    cx.finish(r);
    State { backend, settings }
}

fn lower_hypervisor(b: &Block, cx: &mut Cx) -> Option<Hypervisor> {
    let mut r = Reader::new(b);
    let endpoint = cx.req::<String>(&mut r, "endpoint");
    let node_name = cx
        .opt::<String>(&mut r, "node_name")
        .map_or_else(|| label(b), |s| s.value);
    let api_token = cx.opt::<Credential>(&mut r, "api_token");
    let insecure = cx.opt::<bool>(&mut r, "insecure").is_some_and(|s| s.value);
    let arch = cx
        .opt::<Arch>(&mut r, "arch")
        .unwrap_or(Spanned::new(Arch::Amd64, header_span(b)));
    let cpu = cx.opt::<u64>(&mut r, "cpu");
    let memory = cx.opt(&mut r, "memory");
    let datastores = r
        .blocks("datastore")
        .into_iter()
        .filter_map(|d| lower_datastore(d, cx))
        .collect();
    let bridges = r
        .blocks("bridge")
        .into_iter()
        .filter_map(|d| lower_bridge(d, cx))
        .collect();
    cx.finish(r);
    Some(Hypervisor {
        name: label(b),
        node_name,
        endpoint: endpoint?.value,
        api_token,
        insecure,
        arch,
        cpu,
        memory,
        datastores,
        bridges,
        span: b.span,
    })
}

/// `bridge "vmbr1" { vlan_aware = true  ports = ["enp3s0"] }`: a Linux
/// bridge Terraform creates on the host (VLAN-aware by default, since VLAN
/// tags on VM NICs need it).
fn lower_bridge(b: &Block, cx: &mut Cx) -> Option<crate::ir::Bridge> {
    if b.labels.len() != 1 {
        cx.missing_label(b, "the bridge's interface name, e.g. `bridge \"vmbr1\"`");
        return None;
    }
    let mut r = Reader::new(b);
    let vlan_aware = cx.opt::<bool>(&mut r, "vlan_aware").is_none_or(|v| v.value);
    let ports = cx
        .list::<String>(&mut r, "ports")
        .map(|l| l.value.into_iter().map(|s| s.value).collect())
        .unwrap_or_default();
    let comment = cx.opt::<String>(&mut r, "comment").map(|s| s.value);
    cx.finish(r);
    Some(crate::ir::Bridge {
        name: label(b),
        vlan_aware,
        ports,
        comment,
        span: b.span,
    })
}

fn lower_datastore(b: &Block, cx: &mut Cx) -> Option<Datastore> {
    if b.labels.len() != 1 {
        cx.missing_label(b, "the Proxmox storage ID, e.g. `datastore \"local-lvm\"`");
        return None;
    }
    let mut r = Reader::new(b);
    let size = cx.opt(&mut r, "size");
    let content = cx
        .list::<DatastoreContent>(&mut r, "content")
        .map(|l| l.value.into_iter().map(|c| c.value).collect())
        .unwrap_or_default();
    cx.finish(r);
    Some(Datastore {
        name: label(b),
        size,
        content,
        span: b.span,
    })
}

/// The network's CIDR and gateway, evaluated ahead of full lowering (in
/// order, so a network may use `cidrhost` on an earlier one).
fn network_info(b: &Block, cx: &mut Cx) -> Option<(Cidr, Option<IpAddr>)> {
    let cidr = match eval(&b.attribute("cidr")?.value, cx).value {
        Value::Lit(Literal::Cidr(c)) => c,
        _ => return None,
    };
    // The gateway may be `cidrhost(network.self, 1)`: make the CIDR known first.
    cx.names.network_info.insert(label(b), (cidr, None));
    let gateway = b
        .attribute("gateway")
        .and_then(|a| match eval(&a.value, cx).value {
            Value::Lit(Literal::Ip(ip)) => Some(ip),
            _ => None,
        });
    Some((cidr, gateway))
}

fn lower_network(b: &Block, cx: &mut Cx) -> Option<Network> {
    let mut r = Reader::new(b);
    let cidr = cx.req(&mut r, "cidr");
    let gateway = cx.opt(&mut r, "gateway");
    let vlan = cx.opt::<u64>(&mut r, "vlan");
    let bridge = cx
        .opt::<String>(&mut r, "bridge")
        .map_or_else(|| "vmbr0".into(), |s| s.value);
    let dns = cx.list(&mut r, "dns").map(|l| l.value).unwrap_or_default();
    let dhcp = cx.opt(&mut r, "dhcp");
    cx.finish(r);
    // A network whose CIDR is missing or malformed (already reported) stays
    // in the model under a placeholder, so nodes that name it do not pile
    // follow-up errors on top; with an error reported, nothing is emitted.
    let cidr = cidr.unwrap_or_else(|| Spanned::new(Cidr::default(), header_span(b)));
    Some(Network {
        name: label(b),
        cidr,
        gateway,
        vlan,
        bridge,
        dns,
        dhcp,
        span: b.span,
    })
}

fn lower_image(b: &Block, builtin: bool, cx: &mut Cx) -> Option<Image> {
    let mut r = Reader::new(b);
    let family = cx
        .opt::<Family>(&mut r, "family")
        .map_or(Family::Debian, |f| f.value);
    let mut urls = BTreeMap::new();
    for arch in [Arch::Amd64, Arch::Arm64] {
        if let Some(url) = cx.opt::<String>(&mut r, arch.word()) {
            urls.insert(arch, url.value);
        }
    }
    cx.finish(r);
    Some(Image {
        name: label(b),
        family,
        urls,
        builtin,
        span: b.span,
    })
}

fn lower_versions(b: &Block, builtin: bool, cx: &mut Cx) -> Option<CniVersions> {
    let name = label(b);
    let Some(cni) = Cni::from_word(&name) else {
        let span = b.labels.first().map_or(b.span, |l| l.span);
        let words: Vec<String> = Cni::WORDS.iter().map(|s| s.to_string()).collect();
        cx.push(super::convert::unknown("CNI", &name, &words, span));
        return None;
    };
    let mut r = Reader::new(b);
    let arch = cx.list::<Arch>(&mut r, "arch").map_or_else(
        || vec![Arch::Amd64, Arch::Arm64],
        |l| l.value.into_iter().map(|a| a.value).collect(),
    );
    let policies = cx.opt::<bool>(&mut r, "policies").is_some_and(|p| p.value);
    let matrix = match cx.value(&mut r, "matrix") {
        Some(v) => matrix(&v, cx),
        None => {
            cx.missing(
                b,
                "matrix",
                "an object of Kubernetes minor → list of versions",
            );
            BTreeMap::new()
        }
    };
    cx.finish(r);
    Some(CniVersions {
        cni,
        arch,
        policies,
        matrix,
        builtin,
        span: b.span,
    })
}

fn matrix(v: &super::eval::Sv, cx: &mut Cx) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let super::eval::Value::Object(items) = &v.value else {
        cx.push(super::convert::mismatch(
            "an object `{ \"1.31\" = [\"3.28.2\"] }`",
            v,
        ));
        return out;
    };
    for (minor, versions) in items {
        if let Some(list) = cx.items::<String>(versions) {
            out.insert(minor.clone(), list.into_iter().map(|s| s.value).collect());
        }
    }
    out
}

/// The span of a block's label, or its header.
pub fn label_span(b: &Block) -> Span {
    b.labels.first().map_or(b.kind.span, |l| l.span)
}
