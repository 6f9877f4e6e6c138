//! `zerotier/zerotier` for `tunnel` blocks of kind zerotier: the network
//! with its route and address pool, and per member node an identity and a
//! membership (authorized, with its pool address).

use super::Tf;
use crate::backend::escape::tf;
use crate::ir::value::{host_range, ip_add, ip_to_u128};
use crate::ir::TunnelKind;
use serde_json::{json, Map, Value};

pub fn emit(t: &mut Tf) {
    let ir = t.ir;
    let tunnels: Vec<_> = ir
        .tunnels
        .iter()
        .filter(|x| x.kind.value == TunnelKind::Zerotier)
        .collect();
    if tunnels.is_empty() {
        return;
    }
    let mut token = None;
    let mut identities = Map::new();
    for tun in tunnels {
        if token.is_none() {
            token = tun.api_token.as_ref().map(|c| t.credential(&c.value));
        }
        let mut net = Map::new();
        net.insert("name".into(), Value::String(tf(&tun.name)));
        net.insert(
            "description".into(),
            Value::String(tf(&format!("{} (stackc)", tun.name))),
        );
        net.insert("private".into(), json!(true));
        let pool = tun
            .pool
            .as_ref()
            .map(|p| (p.value.start, p.value.end))
            .or_else(|| {
                tun.cidr.as_ref().and_then(|c| {
                    let (lo, hi) = host_range(c.value);
                    let base = ip_to_u128(c.value.network());
                    Some((
                        ip_add(c.value.network(), lo - base)?,
                        ip_add(c.value.network(), hi - base)?,
                    ))
                })
            });
        if let Some(c) = &tun.cidr {
            net.insert("route".into(), json!([{ "target": c.value.to_string() }]));
            net.insert("assign_ipv4".into(), json!([{ "zerotier": true }]));
        }
        if let Some((start, end)) = pool {
            net.insert(
                "assignment_pool".into(),
                json!([{ "start": start.to_string(), "end": end.to_string() }]),
            );
        }
        let net_id = t.resource("zerotier_network", &tun.name, tun.span, net);
        t.output(
            &format!("zerotier_network_id_{}", crate::backend::escape::tf_ident(&tun.name).replace('-', "_")),
            json!({
                "description": format!("The ZeroTier network ID of `{}`: export it as {} for the Ansible run", tun.name, crate::backend::ansible::env_name("ZEROTIER_NETWORK_ID", &tun.name)),
                "value": format!("${{zerotier_network.{net_id}.id}}"),
            }),
        );
        for id in &tun.members {
            let n = ir.node(*id);
            let ident = t.resource("zerotier_identity", &n.name, n.span, Map::new());
            identities.insert(
                tf(&n.name),
                Value::String(format!("${{zerotier_identity.{ident}.private_key}}")),
            );
            let mut m = Map::new();
            m.insert(
                "network_id".into(),
                Value::String(format!("${{zerotier_network.{net_id}.id}}")),
            );
            m.insert(
                "member_id".into(),
                Value::String(format!("${{zerotier_identity.{ident}.id}}")),
            );
            m.insert("name".into(), Value::String(tf(&n.hostname.value)));
            m.insert("authorized".into(), json!(true));
            t.resource(
                "zerotier_member",
                &format!("{}-{}", tun.name, n.name),
                n.span,
                m,
            );
        }
    }
    let mut provider = Map::new();
    if let Some(token) = token {
        provider.insert("zerotier_central_token".into(), token);
    }
    t.provider("zerotier", Value::Object(provider));
    if !identities.is_empty() {
        // Ansible installs each node's identity; the keys stay in Terraform state.
        t.outputs.insert("zerotier_identities".into(), json!({ "description": "ZeroTier identity (secret key) per member node", "sensitive": true, "value": identities }));
    }
}
