//! `storage`, `tunnel`, `service` and `hardening` blocks: the blocks that
//! refer to nodes, lowered after node expansion.

use super::convert::NodeRef;
use super::eval::Value;
use super::infra::{label, label_span};
use super::reader::Reader;
use super::toplevel::TopLevel;
use super::Cx;

use crate::ir::*;
use crate::span::Spanned;
use crate::syntax::ast::Block;

pub fn lower(top: &TopLevel, ir: &mut Ir, cx: &mut Cx) {
    for b in top.user("storage") {
        if let Some(s) = lower_storage(b, cx) {
            ir.storage.push(s);
        }
    }
    for b in top.user("tunnel") {
        if let Some(t) = lower_tunnel(b, cx) {
            ir.tunnels.push(t);
        }
    }
    for b in top.user("service") {
        lower_service(b, ir, cx);
    }
    if let Some(b) = top.user("hardening").first() {
        ir.hardening = lower_hardening(b, cx);
    }
}

fn nodes(r: &mut Reader, name: &'static str, cx: &mut Cx) -> Vec<Spanned<NodeId>> {
    let Some(list) = cx.list::<NodeRef>(r, name) else {
        return Vec::new();
    };
    let mut out: Vec<Spanned<NodeId>> = Vec::new();
    for group in list.value {
        for id in group.value.0 {
            if !out.iter().any(|n| n.value == id) {
                out.push(Spanned::new(id, group.span));
            }
        }
    }
    out
}

fn lower_storage(b: &Block, cx: &mut Cx) -> Option<Storage> {
    let mut r = Reader::new(b);
    let backend = cx.req::<StorageBackend>(&mut r, "backend");
    let nodes = nodes(&mut r, "nodes", cx);
    let devices = cx
        .list::<String>(&mut r, "devices")
        .map(|l| l.value)
        .unwrap_or_default();
    let layout = cx.opt(&mut r, "layout");
    let replicas = cx.opt(&mut r, "replicas");
    // The NFS server must be a node; anything else is kept (as `None`) for E0702.
    let server = cx.value(&mut r, "server").map(|v| match &v.value {
        Value::Name(n) if n.starts_with("node.") => {
            let id = cx
                .convert::<NodeRef>(&v)
                .and_then(|n| n.value.0.first().copied());
            Spanned::new(id, v.span)
        }
        _ => Spanned::new(None, v.span),
    });
    let path = cx.opt::<String>(&mut r, "path").map(|s| s.value);
    let clients = cx.value(&mut r, "clients").and_then(|v| {
        let c = super::eval::as_cidr(&v, cx);
        if c.is_none() && v.value != Value::Invalid {
            cx.push(super::convert::mismatch(
                "a network reference or a CIDR",
                &v,
            ));
        }
        c.map(|c| Spanned::new(c, v.span))
    });
    cx.finish(r);
    Some(Storage {
        name: label(b),
        backend: backend?,
        nodes,
        devices,
        layout,
        replicas,
        server,
        path,
        clients,
        span: b.span,
        header: super::reader::header_span(b),
    })
}

fn lower_tunnel(b: &Block, cx: &mut Cx) -> Option<Tunnel> {
    let mut r = Reader::new(b);
    let kind = cx.req::<TunnelKind>(&mut r, "kind");
    let account_id = cx.opt(&mut r, "account_id");
    let api_token = cx.opt(&mut r, "api_token");
    let zone = cx.opt::<String>(&mut r, "zone").map(|s| s.value);
    let zone_id = cx.opt::<String>(&mut r, "zone_id").map(|s| s.value);
    let routes = r
        .blocks("route")
        .into_iter()
        .filter_map(|rb| lower_route(rb, cx))
        .collect();
    let runs_on = nodes(&mut r, "runs_on", cx)
        .into_iter()
        .map(|n| n.value)
        .collect();
    let cidr = cx.opt(&mut r, "cidr");
    let pool = cx.opt(&mut r, "pool");
    let members = nodes(&mut r, "members", cx)
        .into_iter()
        .map(|n| n.value)
        .collect();
    cx.finish(r);
    Some(Tunnel {
        name: label(b),
        kind: kind?,
        account_id,
        api_token,
        zone,
        zone_id,
        routes,
        runs_on,
        cidr,
        pool,
        members,
        span: b.span,
    })
}

fn lower_route(b: &Block, cx: &mut Cx) -> Option<Route> {
    let Some(host) = b.labels.first() else {
        cx.missing_label(
            b,
            "the public hostname, e.g. `route \"grafana.example.com\"`",
        );
        return None;
    };
    let mut r = Reader::new(b);
    let service = cx.req::<String>(&mut r, "service");
    cx.finish(r);
    Some(Route {
        hostname: String::from(host.value.as_str()),
        service: service?.value,
        span: b.span,
    })
}

const SERVICES: &[&str] = &["ntp", "syslog"];

fn lower_service(b: &Block, ir: &mut Ir, cx: &mut Cx) {
    let name = label(b);
    let mut r = Reader::new(b);
    match name.as_str() {
        "ntp" => {
            let servers = cx
                .list::<String>(&mut r, "servers")
                .map(|l| l.value.into_iter().map(|s| s.value).collect());
            if servers.is_none() && b.attribute("servers").is_none() {
                cx.missing(b, "servers", "a list of NTP server names");
            }
            ir.ntp = servers.map(|servers| Ntp {
                servers,
                span: b.span,
            });
        }
        "syslog" => {
            let server = cx.req::<NodeRef>(&mut r, "server");
            let port = cx
                .opt::<u64>(&mut r, "port")
                .map_or(514, |p| u16::try_from(p.value).unwrap_or(514));
            ir.syslog = server.and_then(|s| {
                Some(Syslog {
                    server: Spanned::new(*s.value.0.first()?, s.span),
                    port,
                    span: b.span,
                })
            });
        }
        _ => {
            let names: Vec<String> = SERVICES.iter().map(|s| s.to_string()).collect();
            cx.push(super::convert::unknown(
                "service",
                &name,
                &names,
                label_span(b),
            ));
            return;
        }
    }
    cx.finish(r);
}

fn lower_hardening(b: &Block, cx: &mut Cx) -> Hardening {
    let mut r = Reader::new(b);
    let d = Hardening::default();
    let get = |cx: &mut Cx, r: &mut Reader, name, default| {
        cx.opt::<bool>(r, name).map_or(default, |v| v.value)
    };
    let h = Hardening {
        ssh_password_auth: get(cx, &mut r, "ssh_password_auth", d.ssh_password_auth),
        firewall: get(cx, &mut r, "firewall", d.firewall),
        unattended_upgrades: get(cx, &mut r, "unattended_upgrades", d.unattended_upgrades),
    };
    cx.finish(r);
    h
}
