//! The `kubernetes` block, with the CNI version defaulted from the matrix.

use super::convert::NodeRef;
use super::reader::Reader;
use super::toplevel::TopLevel;
use super::Cx;
use crate::diag::{codes, Diagnostic};
use crate::ir::value::Cidr;
use crate::ir::*;
use crate::span::Spanned;
use crate::syntax::ast::Block;
use std::net::{IpAddr, Ipv4Addr};

pub fn lower(top: &TopLevel, ir: &mut Ir, cx: &mut Cx) {
    if let Some(b) = top.user("kubernetes").first() {
        ir.kubernetes = lower_kubernetes(b, ir, cx);
    }
}

fn cidr(a: [u8; 4], len: u8) -> Cidr {
    Cidr::new(IpAddr::V4(Ipv4Addr::from(a)), len).unwrap_or_default()
}

fn lower_kubernetes(b: &Block, ir: &Ir, cx: &mut Cx) -> Option<Kubernetes> {
    let mut r = Reader::new(b);
    let s = b.kind.span;
    let distribution = cx
        .opt(&mut r, "distribution")
        .unwrap_or(Spanned::new_at(s, Distribution::Kubeadm));
    let version = cx
        .req::<String>(&mut r, "version")
        .and_then(|v| valid_version(v, cx));
    let runtime = cx
        .opt(&mut r, "runtime")
        .map_or(Runtime::Containerd, |s| s.value);
    let cni = cx
        .opt(&mut r, "cni")
        .unwrap_or(Spanned::new_at(s, Cni::Calico));
    let cni_version = cx.opt::<String>(&mut r, "cni_version");
    let network_policies = cx
        .opt(&mut r, "network_policies")
        .unwrap_or(Spanned::new_at(s, false));
    let pod_cidr = cx
        .opt(&mut r, "pod_cidr")
        .unwrap_or(Spanned::new_at(s, cidr([10, 244, 0, 0], 16)));
    let service_cidr = cx
        .opt(&mut r, "service_cidr")
        .unwrap_or(Spanned::new_at(s, cidr([10, 96, 0, 0], 12)));
    let api = cx
        .opt::<NodeRef>(&mut r, "api")
        .map(|n| Spanned::new(n.value.0, n.span));
    let api_port = cx
        .opt::<u64>(&mut r, "api_port")
        .map_or(Some(6443), |p| port(p, cx))?;
    cx.finish(r);
    let version = version?;
    let defaulted = cni_version.is_none();
    let cni_version = cni_version.unwrap_or_else(|| {
        Spanned::new_at(
            s,
            default_cni_version(ir, cni.value, &minor_of(&version.value)),
        )
    });
    Some(Kubernetes {
        distribution,
        version,
        runtime,
        cni,
        cni_version,
        cni_version_defaulted: defaulted,
        network_policies,
        pod_cidr,
        service_cidr,
        api,
        api_port,
        span: b.span,
        header: b.kind.span,
    })
}

/// `"1.31.0"`: three dot-separated numbers (a leading `v` is tolerated).
fn valid_version(v: Spanned<String>, cx: &mut Cx) -> Option<Spanned<String>> {
    let parts: Vec<&str> = v.value.trim_start_matches('v').split('.').collect();
    if parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Some(Spanned::new(
            v.value.trim_start_matches('v').to_string(),
            v.span,
        ));
    }
    cx.push(
        Diagnostic::new(
            &codes::TYPE_MISMATCH,
            v.span,
            format!("`{}` is not a Kubernetes version", v.value),
        )
        .label("expected MAJOR.MINOR.PATCH")
        .help("write the full release, e.g. \"1.31.0\""),
    );
    None
}

fn port(p: Spanned<u64>, cx: &mut Cx) -> Option<u16> {
    match u16::try_from(p.value) {
        Ok(n) if n > 0 => Some(n),
        _ => {
            cx.push(
                Diagnostic::new(
                    &codes::TYPE_MISMATCH,
                    p.span,
                    format!("{} is not a TCP port", p.value),
                )
                .label("expected 1-65535"),
            );
            None
        }
    }
}

/// The newest version the matrix pairs with `minor`; failing that, the
/// newest the matrix knows at all (W0801 then says it is unpaired).
pub fn default_cni_version(ir: &Ir, cni: Cni, minor: &str) -> String {
    let Some(m) = ir.cni_versions.iter().find(|v| v.cni == cni) else {
        return String::new();
    };
    if let Some(last) = m.matrix.get(minor).and_then(|v| v.last()) {
        return last.clone();
    }
    m.matrix
        .values()
        .flat_map(|v| v.last())
        .max_by(|a, b| compare_versions(a, b))
        .cloned()
        .unwrap_or_default()
}

/// Compare dotted numeric versions numerically ("3.10.0" > "3.9.1").
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let nums = |s: &str| {
        s.trim_start_matches('v')
            .split('.')
            .map(|p| p.parse::<u64>().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    nums(a).cmp(&nums(b))
}
