//! `cloudflare/cloudflare` v5 for `tunnel` blocks of kind cloudflare: the
//! tunnel, its configuration (one ingress rule per route, then the
//! catch-all), and a proxied CNAME per route. v5 uses nested attributes:
//! `config` is an object and `config.ingress` an array of objects.

use super::Tf;
use crate::backend::escape::{tf, tf_ident};
use crate::ir::TunnelKind;
use serde_json::{json, Map, Value};

pub fn emit(t: &mut Tf) {
    let ir = t.ir;
    let tunnels: Vec<_> = ir
        .tunnels
        .iter()
        .filter(|x| x.kind.value == TunnelKind::Cloudflare)
        .collect();
    if tunnels.is_empty() {
        return;
    }
    let mut token = None;
    for tun in tunnels {
        if token.is_none() {
            token = tun.api_token.as_ref().map(|c| t.credential(&c.value));
        }
        let account = match &tun.account_id {
            Some(a) => t.credential(&a.value),
            None => Value::String(format!(
                "${{var.{}}}",
                t.input_var(
                    "cloudflare_account_id",
                    "Cloudflare account ID (the tunnel sets no `account_id`)".into()
                )
            )),
        };
        let zone = match &tun.zone_id {
            Some(z) => Value::String(tf(z)),
            None => {
                let var = format!(
                    "cloudflare_zone_id_{}",
                    tf_ident(&tun.name).replace('-', "_")
                );
                let what = tun.zone.as_deref().unwrap_or("the tunnel's zone");
                Value::String(format!(
                    "${{var.{}}}",
                    t.input_var(&var, format!("Cloudflare zone ID of {what}"))
                ))
            }
        };
        let site = if ir.site.name.is_empty() {
            String::new()
        } else {
            format!("{}-", ir.site.name)
        };
        let mut tunnel = Map::new();
        tunnel.insert("account_id".into(), account.clone());
        tunnel.insert(
            "name".into(),
            Value::String(tf(&format!("{site}{}", tun.name))),
        );
        tunnel.insert("config_src".into(), json!("cloudflare"));
        // The tunnel secret is ours, so the connector token can be computed
        // here (offline) and handed to Ansible through `tofu output`.
        let ident = tf_ident(&tun.name).replace('-', "_");
        let secret_var = format!("cloudflare_tunnel_secret_{ident}");
        t.secret_input(
            &secret_var,
            format!(
                "the secret of tunnel `{}`: 32 random bytes, base64 (`openssl rand -base64 32`)",
                tun.name
            ),
        );
        tunnel.insert(
            "tunnel_secret".into(),
            Value::String(format!("${{var.{secret_var}}}")),
        );
        let id = t.resource(
            "cloudflare_zero_trust_tunnel_cloudflared",
            &tun.name,
            tun.span,
            tunnel,
        );
        let account_expr = account
            .as_str()
            .and_then(|s| s.strip_prefix("${").and_then(|x| x.strip_suffix('}')))
            .map_or_else(
                || format!("\"{}\"", account.as_str().unwrap_or_default()),
                str::to_string,
            );
        t.output(
            &format!("cloudflare_tunnel_token_{ident}"),
            json!({
                "description": format!("The connector token of tunnel `{}`: export it as {} for the Ansible run", tun.name, crate::backend::ansible::env_name("CLOUDFLARE_TUNNEL_TOKEN", &tun.name)),
                "sensitive": true,
                "value": format!("${{base64encode(jsonencode({{\"a\" = {account_expr}, \"t\" = cloudflare_zero_trust_tunnel_cloudflared.{id}.id, \"s\" = var.{secret_var}}}))}}"),
            }),
        );
        let tunnel_id = format!("${{cloudflare_zero_trust_tunnel_cloudflared.{id}.id}}");

        let mut ingress: Vec<Value> = tun
            .routes
            .iter()
            .map(|r| json!({ "hostname": tf(&r.hostname), "service": tf(&r.service) }))
            .collect();
        // The last rule must match everything.
        ingress.push(json!({ "service": "http_status:404" }));
        let mut config = Map::new();
        config.insert("account_id".into(), account);
        config.insert("tunnel_id".into(), Value::String(tunnel_id.clone()));
        config.insert("config".into(), json!({ "ingress": ingress }));
        t.resource(
            "cloudflare_zero_trust_tunnel_cloudflared_config",
            &tun.name,
            tun.span,
            config,
        );

        for r in &tun.routes {
            let mut rec = Map::new();
            rec.insert("zone_id".into(), zone.clone());
            rec.insert("name".into(), Value::String(tf(&r.hostname)));
            rec.insert("type".into(), json!("CNAME"));
            rec.insert(
                "content".into(),
                Value::String(format!("{tunnel_id}.cfargotunnel.com")),
            );
            rec.insert("proxied".into(), json!(true));
            rec.insert("ttl".into(), json!(1));
            rec.insert(
                "comment".into(),
                Value::String(tf(&format!("tunnel {} (stackc)", tun.name))),
            );
            t.resource(
                "cloudflare_dns_record",
                &format!("{}-{}", tun.name, r.hostname),
                r.span,
                rec,
            );
        }
    }
    let mut provider = Map::new();
    if let Some(token) = token {
        provider.insert("api_token".into(), token);
    }
    t.provider("cloudflare", Value::Object(provider));
}
