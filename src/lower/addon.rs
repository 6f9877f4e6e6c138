//! The chart catalog (stdlib addons and user `chart` blocks) and what the
//! stack enables (`addon` blocks, and every user `chart`).

use super::convert::AddonRef;
use super::eval::{Sv, Value};
use super::infra::{label, label_span};
use super::reader::Reader;
use super::toplevel::TopLevel;
use super::Cx;
use crate::diag::{codes, Diagnostic};
use crate::ir::value::IpRange;
use crate::ir::*;
use crate::span::Spanned;
use crate::syntax::ast::{Block, Literal};
use std::collections::BTreeMap;

pub fn lower_catalog(top: &TopLevel, ir: &mut Ir, cx: &mut Cx) {
    let user: Vec<String> = top.user("chart").iter().map(|b| label(b)).collect();
    let blocks: Vec<(&Block, bool)> = top
        .std("chart")
        .iter()
        .filter(|b| !user.contains(&label(b)))
        .map(|b| (*b, true))
        .chain(top.user("chart").iter().map(|b| (*b, false)))
        .collect();
    // Names first: `after` and `requires` may point forward.
    for (i, (b, _)) in blocks.iter().enumerate() {
        cx.names.charts.insert(label(b), ChartId(i as u32));
    }
    for (b, builtin) in blocks {
        ir.charts.push(lower_chart(b, builtin, cx));
    }
}

fn lower_chart(b: &Block, builtin: bool, cx: &mut Cx) -> Chart {
    let mut r = Reader::new(b);
    let name = label(b);
    let repo = cx
        .req::<String>(&mut r, "repo")
        .map(|s| s.value)
        .unwrap_or_default();
    let chart = cx
        .opt::<String>(&mut r, "chart")
        .map_or_else(|| name.clone(), |s| s.value);
    let version = cx
        .req::<String>(&mut r, "version")
        .map(|s| s.value)
        .unwrap_or_default();
    let namespace = cx
        .opt::<String>(&mut r, "namespace")
        .map_or_else(|| name.clone(), |s| s.value);
    let arch = cx.list::<Arch>(&mut r, "arch").map_or_else(
        || vec![Arch::Amd64],
        |l| l.value.into_iter().map(|a| a.value).collect(),
    );
    let after = addon_refs(&mut r, "after", cx);
    let requires = addon_refs(&mut r, "requires", cx);
    let kubernetes_min = cx.opt::<String>(&mut r, "kubernetes_min").map(|s| s.value);
    let kubernetes_max = cx.opt::<String>(&mut r, "kubernetes_max").map(|s| s.value);
    let description = cx.opt::<String>(&mut r, "description").map(|s| s.value);
    let values = values(&mut r, cx);
    cx.finish(r);
    Chart {
        name,
        repo,
        chart,
        version,
        namespace,
        arch,
        after,
        requires,
        kubernetes_min,
        kubernetes_max,
        description,
        values,
        builtin,
        span: b.span,
    }
}

fn addon_refs(r: &mut Reader, name: &'static str, cx: &mut Cx) -> Vec<Spanned<String>> {
    cx.list::<AddonRef>(r, name)
        .map(|l| {
            l.value
                .into_iter()
                .map(|a| Spanned::new(a.value.0, a.span))
                .collect()
        })
        .unwrap_or_default()
}

fn values(r: &mut Reader, cx: &mut Cx) -> BTreeMap<String, serde_json::Value> {
    let Some(v) = cx.value(r, "values") else {
        return BTreeMap::new();
    };
    match to_json(&v, cx) {
        Some(serde_json::Value::Object(m)) => m.into_iter().collect(),
        Some(_) => {
            cx.push(super::convert::mismatch("an object of Helm values", &v));
            BTreeMap::new()
        }
        None => BTreeMap::new(),
    }
}

/// Free-form values (Helm values) as JSON.
pub fn to_json(v: &Sv, cx: &mut Cx) -> Option<serde_json::Value> {
    use serde_json::Value as J;
    Some(match &v.value {
        Value::Str(s) => J::String(s.clone()),
        Value::Int(n) => J::from(*n),
        Value::Bool(b) => J::Bool(*b),
        Value::Lit(l) => J::String(super::eval::literal_text(l)),
        Value::Name(n) => J::String(n.to_string()),
        Value::List(items) => J::Array(items.iter().filter_map(|i| to_json(i, cx)).collect()),
        Value::Object(items) => J::Object(
            items
                .iter()
                .filter_map(|(k, v)| {
                    cx.note_plain_credential(k, v);
                    Some((k.clone(), to_json(v, cx)?))
                })
                .collect(),
        ),
        Value::Secret(_) => {
            cx.push(
                Diagnostic::new(&codes::TYPE_MISMATCH, v.span, "a secret cannot be a Helm value")
                    .label("values are written into the Ansible project")
                    .help("addons take credentials through their own attributes (e.g. velero `credentials`)"),
            );
            return None;
        }
        Value::Invalid => return None,
    })
}

/// The attributes each built-in addon takes beyond the common ones.
fn specific(addon: &str) -> &'static [&'static str] {
    match addon {
        "metallb" => &["pool"],
        "traefik" | "ingress-nginx" | "longhorn" => &["replicas"],
        "kube-prometheus-stack" => &["grafana"],
        "cert-manager" => &["acme_email"],
        "velero" => &["bucket", "s3_url", "credentials"],
        _ => &[],
    }
}

pub fn lower_enabled(top: &TopLevel, ir: &mut Ir, cx: &mut Cx) {
    for b in top.user("addon") {
        let name = label(b);
        let Some(&chart) = cx.names.charts.get(&name) else {
            let known: Vec<String> = cx.names.charts.keys().cloned().collect();
            cx.push(
                super::convert::unknown("addon", &name, &known, label_span(b))
                    .note("a `chart \"NAME\" { repo = … chart = … version = … }` block adds any other Helm chart"),
            );
            continue;
        };
        let addon = lower_addon(b, chart, ir, cx);
        ir.addons.push(addon);
    }
    for b in top.user("chart") {
        let chart = cx.names.charts[&label(b)];
        let c = ir.chart(chart);
        ir.addons.push(Addon {
            name: c.name.clone(),
            chart,
            version: Spanned::new(c.version.clone(), c.span),
            namespace: c.namespace.clone(),
            after: c.after.clone(),
            settings: AddonSettings::default(),
            span: super::reader::header_span(b),
        });
    }
}

fn lower_addon(b: &Block, chart: ChartId, ir: &Ir, cx: &mut Cx) -> Addon {
    let c = ir.chart(chart);
    let mut r = Reader::new(b);
    let version = cx
        .opt::<String>(&mut r, "version")
        .unwrap_or_else(|| Spanned::new(c.version.clone(), label_span(b)));
    let namespace = cx
        .opt::<String>(&mut r, "namespace")
        .map_or_else(|| c.namespace.clone(), |s| s.value);
    let mut after = c.after.clone();
    after.extend(addon_refs(&mut r, "after", cx));
    let mut settings = AddonSettings {
        values: values(&mut r, cx),
        ..Default::default()
    };
    for attr in specific(&c.name) {
        read_setting(attr, &mut r, &mut settings, cx);
    }
    cx.finish(r);
    Addon {
        name: c.name.clone(),
        chart,
        version,
        namespace,
        after,
        settings,
        span: super::reader::header_span(b),
    }
}

fn read_setting(attr: &'static str, r: &mut Reader, s: &mut AddonSettings, cx: &mut Cx) {
    match attr {
        "pool" => s.pool = pools(r, cx),
        "replicas" => s.replicas = cx.opt(r, "replicas"),
        "grafana" => {
            if let Some(v) = cx.value(r, "grafana") {
                s.grafana_node_port = grafana_port(&v, cx);
            }
        }
        "acme_email" => s.acme_email = cx.opt::<String>(r, "acme_email").map(|v| v.value),
        "bucket" => s.bucket = cx.opt::<String>(r, "bucket").map(|v| v.value),
        "s3_url" => s.s3_url = cx.opt::<String>(r, "s3_url").map(|v| v.value),
        _ => s.credentials = cx.opt(r, "credentials"),
    }
}

/// MetalLB pools: ranges or CIDRs, one or a list.
fn pools(r: &mut Reader, cx: &mut Cx) -> Vec<Spanned<IpRange>> {
    let Some(v) = cx.value(r, "pool") else {
        return Vec::new();
    };
    let items: Vec<Sv> = match &v.value {
        Value::List(items) => items.clone(),
        _ => vec![v],
    };
    items
        .iter()
        .filter_map(|i| match &i.value {
            Value::Lit(Literal::Range(rg)) => Some(Spanned::new(*rg, i.span)),
            Value::Lit(Literal::Cidr(c)) => {
                IpRange::new(c.network(), c.broadcast()).map(|rg| Spanned::new(rg, i.span))
            }
            Value::Invalid => None,
            _ => {
                cx.push(super::convert::mismatch("an IP range or CIDR", i));
                None
            }
        })
        .collect()
}

fn grafana_port(v: &Sv, cx: &mut Cx) -> Option<Spanned<u64>> {
    let Value::Object(items) = &v.value else {
        cx.push(super::convert::mismatch(
            "an object `{ node_port = 30000 }`",
            v,
        ));
        return None;
    };
    let mut port = None;
    for (k, val) in items {
        if k == "node_port" {
            port = cx.convert::<u64>(val);
        } else {
            cx.push(super::convert::unknown(
                "grafana setting",
                k,
                &["node_port".to_string()],
                val.span,
            ));
        }
    }
    port
}
