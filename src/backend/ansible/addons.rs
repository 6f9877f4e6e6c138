//! `addons_releases`: every enabled addon and chart as a Helm release, with
//! values derived from the stack (MetalLB's pool, replica counts, Grafana's
//! NodePort, Velero's bucket, the ACME issuer) and the user's `values`
//! merged over them.

use super::yaml::Y;
use crate::ir::{Addon, Credential, Ir};
use serde_json::{json, Map, Value};

pub fn releases(ir: &Ir) -> Y {
    let mut out = Vec::new();
    for a in &ir.addons {
        let chart = ir.chart(a.chart);
        let (derived, manifests, secrets) = derive(ir, a);
        let mut values = derived;
        let user: Map<String, Value> = chart
            .values
            .iter()
            .chain(&a.settings.values)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        merge(&mut values, &Value::Object(user));
        let release = json!({
            "name": a.name,
            "repo": chart.repo,
            "chart": chart.chart,
            "version": a.version.value,
            "namespace": a.namespace,
            "values": values,
            "manifests": manifests,
            "secrets": secrets,
        });
        out.push((a.name.clone(), Y::from_json(&release)));
    }
    Y::Map(out)
}

/// Deep merge: objects merge key by key, anything else replaces.
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

type Derived = (Value, Vec<Value>, Vec<Value>);

fn derive(ir: &Ir, a: &Addon) -> Derived {
    let s = &a.settings;
    let replicas = s.replicas.as_ref().map(|r| r.value);
    let ns = a.namespace.as_str();
    match a.name.as_str() {
        "metallb" => {
            let addresses: Vec<String> = s.pool.iter().map(|p| p.value.to_string()).collect();
            let pool = json!({
                "apiVersion": "metallb.io/v1beta1",
                "kind": "IPAddressPool",
                "metadata": { "name": "stackc-pool", "namespace": ns },
                "spec": { "addresses": addresses },
            });
            let l2 = json!({
                "apiVersion": "metallb.io/v1beta1",
                "kind": "L2Advertisement",
                "metadata": { "name": "stackc-l2", "namespace": ns },
                "spec": { "ipAddressPools": ["stackc-pool"] },
            });
            let manifests = if addresses.is_empty() {
                Vec::new()
            } else {
                vec![pool, l2]
            };
            (json!({}), manifests, Vec::new())
        }
        "traefik" => (
            replicas.map_or(json!({}), |r| json!({ "deployment": { "replicas": r } })),
            Vec::new(),
            Vec::new(),
        ),
        "ingress-nginx" => (
            replicas.map_or(
                json!({}),
                |r| json!({ "controller": { "replicaCount": r } }),
            ),
            Vec::new(),
            Vec::new(),
        ),
        "longhorn" => {
            let r = replicas.unwrap_or(3);
            (
                json!({ "defaultSettings": { "defaultReplicaCount": r }, "persistence": { "defaultClassReplicaCount": r } }),
                Vec::new(),
                Vec::new(),
            )
        }
        "kube-prometheus-stack" => {
            let v = s.grafana_node_port.as_ref().map_or(json!({}), |p| json!({ "grafana": { "service": { "type": "NodePort", "nodePort": p.value } } }));
            (v, Vec::new(), Vec::new())
        }
        "cert-manager" => {
            let manifests = s
                .acme_email
                .as_ref()
                .map(|email| acme_issuer(ir, email))
                .into_iter()
                .collect();
            (
                json!({ "crds": { "enabled": true } }),
                manifests,
                Vec::new(),
            )
        }
        "velero" => velero(a),
        "loki" => (
            json!({
                "deploymentMode": "SingleBinary",
                "loki": {
                    "auth_enabled": false,
                    "commonConfig": { "replication_factor": 1 },
                    "storage": { "type": "filesystem" },
                    "schemaConfig": { "configs": [{ "from": "2024-04-01", "store": "tsdb", "object_store": "filesystem", "schema": "v13", "index": { "prefix": "index_", "period": "24h" } }] },
                },
                "singleBinary": { "replicas": 1 },
                "read": { "replicas": 0 },
                "write": { "replicas": 0 },
                "backend": { "replicas": 0 },
                "chunksCache": { "enabled": false },
                "resultsCache": { "enabled": false },
            }),
            Vec::new(),
            Vec::new(),
        ),
        "promtail" => {
            let loki_ns = ir
                .addons
                .iter()
                .find(|b| b.name == "loki")
                .map_or("monitoring", |b| b.namespace.as_str());
            (
                json!({ "config": { "clients": [{ "url": format!("http://loki-gateway.{loki_ns}.svc/loki/api/v1/push") }] } }),
                Vec::new(),
                Vec::new(),
            )
        }
        _ => (json!({}), Vec::new(), Vec::new()),
    }
}

/// A Let's Encrypt ClusterIssuer answering HTTP-01 through the ingress
/// controller the stack enables.
fn acme_issuer(ir: &Ir, email: &str) -> Value {
    let class = if ir.addons.iter().any(|a| a.name == "ingress-nginx") {
        "nginx"
    } else {
        "traefik"
    };
    json!({
        "apiVersion": "cert-manager.io/v1",
        "kind": "ClusterIssuer",
        "metadata": { "name": "letsencrypt" },
        "spec": { "acme": {
            "server": "https://acme-v02.api.letsencrypt.org/directory",
            "email": email,
            "privateKeySecretRef": { "name": "letsencrypt-account-key" },
            "solvers": [{ "http01": { "ingress": { "ingressClassName": class } } }],
        } },
    })
}

/// Velero with an S3-compatible bucket; the credentials file comes from the
/// environment into a Secret, never into the values.
fn velero(a: &Addon) -> Derived {
    let s = &a.settings;
    let mut values = json!({
        "initContainers": [{
            "name": "velero-plugin-for-aws",
            "image": "velero/velero-plugin-for-aws:v1.13.0",
            "volumeMounts": [{ "mountPath": "/target", "name": "plugins" }],
        }],
        "configuration": {
            "backupStorageLocation": [{
                "name": "default",
                "provider": "aws",
                "bucket": s.bucket.clone().unwrap_or_else(|| "velero".into()),
                "config": { "region": "minio", "s3ForcePathStyle": "true", "s3Url": s.s3_url.clone().unwrap_or_default() },
            }],
            "volumeSnapshotLocation": [],
        },
        "snapshotsEnabled": false,
    });
    let mut secrets = Vec::new();
    match s.credentials.as_ref().map(|c| &c.value) {
        Some(Credential::Secret(env)) => {
            values["credentials"] =
                json!({ "useSecret": true, "existingSecret": "velero-credentials" });
            secrets.push(json!({ "name": "velero-credentials", "key": "cloud", "env": env }));
        }
        Some(Credential::Plain(text)) => {
            // Only reachable when E0901 was allowed on purpose.
            values["credentials"] =
                json!({ "useSecret": true, "secretContents": { "cloud": text } });
        }
        None => values["credentials"] = json!({ "useSecret": false }),
    }
    (values, Vec::new(), secrets)
}
