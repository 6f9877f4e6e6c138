//! The IR as a readable document (`stackc debug ir`, example snapshots):
//! ids replaced by the names they stand for, and the stdlib catalog left
//! out unless the stack overrides an entry (it is the same for every stack).

use super::Ir;
use serde_json::Value;

pub fn dump(ir: &Ir) -> Value {
    let mut v = serde_json::to_value(ir).unwrap_or(Value::Null);
    let nodes: Vec<String> = ir.nodes.iter().map(|n| n.name.clone()).collect();
    let networks: Vec<String> = ir.networks.iter().map(|n| n.name.clone()).collect();
    let hypervisors: Vec<String> = ir.hypervisors.iter().map(|h| h.name.clone()).collect();
    let images: Vec<String> = ir.images.iter().map(|i| i.name.clone()).collect();
    let charts: Vec<String> = ir.charts.iter().map(|c| c.name.clone()).collect();
    let (node, network, hv, image, chart) = (
        names(&nodes),
        names(&networks),
        names(&hypervisors),
        names(&images),
        names(&charts),
    );
    for n in arr(&mut v, "nodes") {
        map_field(n, "os", &image);
        map_field(n, "network", &network);
        if let Some(vm) = n.get_mut("vm").filter(|vm| !vm.is_null()) {
            map_field(vm, "host", &hv);
        }
    }
    for a in arr(&mut v, "addons") {
        map_field(a, "chart", &chart);
    }
    for s in arr(&mut v, "storage") {
        map_list(s, "nodes", &node);
        if let Some(server) = s.get_mut("server") {
            *server = node(server);
        }
    }
    for t in arr(&mut v, "tunnels") {
        map_list(t, "runs_on", &node);
        map_list(t, "members", &node);
    }
    if let Some(k) = v.get_mut("kubernetes").filter(|k| !k.is_null()) {
        map_list(k, "api", &node);
    }
    if let Some(s) = v.get_mut("syslog").filter(|s| !s.is_null()) {
        map_field(s, "server", &node);
    }
    for key in ["images", "charts", "cni_versions"] {
        if let Some(Value::Array(items)) = v.get_mut(key) {
            items.retain(|i| i.get("builtin") != Some(&Value::Bool(true)));
        }
    }
    v
}

/// A function from an id to the name at that index.
fn names(list: &[String]) -> impl Fn(&Value) -> Value + '_ {
    move |id: &Value| {
        id.as_u64()
            .and_then(|i| list.get(i as usize))
            .map_or(Value::Null, |n| Value::String(n.clone()))
    }
}

fn arr<'a>(v: &'a mut Value, key: &str) -> impl Iterator<Item = &'a mut Value> {
    v.get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
}

fn map_field(v: &mut Value, key: &str, f: &impl Fn(&Value) -> Value) {
    if let Some(x) = v.get_mut(key) {
        *x = f(x);
    }
}

fn map_list(v: &mut Value, key: &str, f: &impl Fn(&Value) -> Value) {
    if let Some(Value::Array(items)) = v.get_mut(key) {
        for i in items {
            *i = f(i);
        }
    }
}
