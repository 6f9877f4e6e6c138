//! `bpg/proxmox`: the provider (one per API endpoint), one cloud-image
//! download per (image, arch, Proxmox node, datastore) that some VM needs,
//! and one VM per expanded node with a `vm` block.

use super::Tf;
use crate::backend::escape::{tf, tf_ident};
use crate::ir::value::{Cidr, Size};
use crate::ir::{Arch, DatastoreContent, Hypervisor, HypervisorId, Ir, Node, Role, Vm};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub fn emit(t: &mut Tf) {
    let ir = t.ir;
    if !ir.nodes.iter().any(|n| n.vm.is_some())
        && ir.hypervisors.iter().all(|h| h.bridges.is_empty())
    {
        return;
    }
    let aliases = providers(t);
    bridges(t, &aliases);
    let mut downloads: BTreeMap<(String, Arch, String, String), String> = BTreeMap::new();
    for n in &ir.nodes {
        let Some(vm) = &n.vm else { continue };
        let hv = ir.hypervisor(vm.host.value);
        let image = ir.image(n.os.value);
        let Some(url) = image.urls.get(&n.arch.value) else {
            continue;
        };
        let store = image_store(hv);
        let key = (
            image.name.clone(),
            n.arch.value,
            hv.node_name.clone(),
            store.clone(),
        );
        let file = match downloads.get(&key) {
            Some(name) => name.clone(),
            None => {
                let name = format!("{}-{}-{}", image.name, n.arch.value, hv.node_name);
                let mut body = Map::new();
                body.insert("content_type".into(), json!("import"));
                body.insert("datastore_id".into(), Value::String(tf(&store)));
                body.insert("node_name".into(), Value::String(tf(&hv.node_name)));
                body.insert("url".into(), Value::String(tf(url)));
                body.insert(
                    "file_name".into(),
                    Value::String(tf(&format!("{}-{}.qcow2", image.name, n.arch.value))),
                );
                body.insert("overwrite".into(), json!(false));
                if let Some(p) = aliases.get(&vm.host.value) {
                    body.insert("provider".into(), Value::String(p.clone()));
                }
                let id = t.resource("proxmox_download_file", &name, image.span, body);
                downloads.insert(key, id.clone());
                id
            }
        };
        let body = vm_body(ir, n, vm, hv, &file, aliases.get(&vm.host.value));
        t.resource("proxmox_virtual_environment_vm", &n.name, n.span, body);
    }
}

/// The Linux bridges the stack declares, one resource each.
fn bridges(t: &mut Tf, aliases: &BTreeMap<HypervisorId, String>) {
    for (i, h) in t.ir.hypervisors.iter().enumerate() {
        for br in &h.bridges {
            let mut b = Map::new();
            b.insert("node_name".into(), Value::String(tf(&h.node_name)));
            b.insert("name".into(), Value::String(tf(&br.name)));
            b.insert("vlan_aware".into(), json!(br.vlan_aware));
            b.insert("autostart".into(), json!(true));
            if !br.ports.is_empty() {
                b.insert(
                    "ports".into(),
                    json!(br.ports.iter().map(|p| tf(p)).collect::<Vec<_>>()),
                );
            }
            if let Some(c) = &br.comment {
                b.insert("comment".into(), Value::String(tf(c)));
            }
            if let Some(p) = aliases.get(&HypervisorId(i as u32)) {
                b.insert("provider".into(), Value::String(p.clone()));
            }
            t.resource(
                "proxmox_network_linux_bridge",
                &format!("{}-{}", h.name, br.name),
                br.span,
                b,
            );
        }
    }
}

/// The provider per API endpoint: the first is the default, others are
/// aliased by the first hypervisor's name that uses them.
fn providers(t: &mut Tf) -> BTreeMap<HypervisorId, String> {
    let ir = t.ir;
    let mut by_endpoint: Vec<(String, Vec<HypervisorId>)> = Vec::new();
    for (i, h) in ir.hypervisors.iter().enumerate() {
        let id = HypervisorId(i as u32);
        match by_endpoint.iter_mut().find(|(e, _)| *e == h.endpoint) {
            Some((_, ids)) => ids.push(id),
            None => by_endpoint.push((h.endpoint.clone(), vec![id])),
        }
    }
    let mut configs = Vec::new();
    let mut aliases = BTreeMap::new();
    for (n, (endpoint, ids)) in by_endpoint.iter().enumerate() {
        let h = ir.hypervisor(ids[0]);
        let mut c = Map::new();
        c.insert("endpoint".into(), Value::String(tf(endpoint)));
        c.insert("insecure".into(), json!(h.insecure));
        if let Some(token) = &h.api_token {
            let v = t.credential(&token.value);
            c.insert("api_token".into(), v);
        }
        if n > 0 {
            let alias = tf_ident(&h.name);
            c.insert("alias".into(), Value::String(alias.clone()));
            for id in ids {
                aliases.insert(*id, format!("proxmox.{alias}"));
            }
        }
        configs.push(Value::Object(c));
    }
    let config = if configs.len() == 1 {
        configs.remove(0)
    } else {
        Value::Array(configs)
    };
    t.provider("proxmox", config);
    aliases
}

/// Where cloud images are downloaded: the hypervisor's first datastore that
/// holds `import` (or `iso`) content, else Proxmox's default `local`.
fn image_store(hv: &Hypervisor) -> String {
    hv.datastores
        .iter()
        .find(|d| d.content.contains(&DatastoreContent::Import))
        .or_else(|| {
            hv.datastores
                .iter()
                .find(|d| d.content.contains(&DatastoreContent::Iso))
        })
        .map_or_else(|| "local".to_string(), |d| d.name.clone())
}

fn ceil_div(x: u64, unit: u64) -> u64 {
    x.div_ceil(unit)
}

fn vm_body(
    ir: &Ir,
    n: &Node,
    vm: &Vm,
    hv: &Hypervisor,
    file: &str,
    provider: Option<&String>,
) -> Map<String, Value> {
    let net = ir.network(n.network.value);
    let arm = n.arch.value == Arch::Arm64;
    let mut tags: Vec<String> = vec!["stackc".into()];
    tags.extend(n.roles.value.iter().map(|r| r.word().replace('_', "-")));
    if n.has(Role::ControlPlane) || n.has(Role::Worker) {
        tags.push("k8s".into());
    }
    let mut b = Map::new();
    b.insert("name".into(), Value::String(tf(&n.hostname.value)));
    b.insert(
        "description".into(),
        Value::String(tf(&format!(
            "{} ({}), managed by stackc",
            n.name,
            n.roles
                .value
                .iter()
                .map(|r| r.word())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    );
    b.insert("node_name".into(), Value::String(tf(&hv.node_name)));
    b.insert("vm_id".into(), json!(vm.id.value));
    b.insert("tags".into(), json!(tags));
    b.insert("on_boot".into(), json!(true));
    b.insert("started".into(), json!(true));
    b.insert("stop_on_destroy".into(), json!(true));
    b.insert("agent".into(), json!({ "enabled": true }));
    b.insert("operating_system".into(), json!({ "type": "l26" }));
    b.insert(
        "cpu".into(),
        if arm {
            json!({ "cores": vm.cpu.value, "type": "host", "architecture": "aarch64" })
        } else {
            json!({ "cores": vm.cpu.value, "type": "x86-64-v2-AES" })
        },
    );
    b.insert(
        "memory".into(),
        json!({ "dedicated": ceil_div(vm.memory.value.bytes(), Size::MIB) }),
    );
    b.insert("scsi_hardware".into(), json!("virtio-scsi-single"));
    b.insert(
        "disk".into(),
        json!([{
            "datastore_id": tf(&vm.datastore.value),
            "import_from": format!("${{proxmox_download_file.{file}.id}}"),
            "interface": "scsi0",
            "size": ceil_div(vm.disk.value.bytes(), Size::GIB),
            "iothread": true,
            "discard": "on",
        }]),
    );
    b.insert(
        "network_device".into(),
        json!([network_device(
            net.bridge.as_str(),
            net.vlan.as_ref().map(|v| v.value)
        )]),
    );
    b.insert(
        "initialization".into(),
        initialization(
            ir,
            n,
            vm,
            net.cidr.value,
            net.gateway.as_ref().map(|g| g.value),
            &net.dns,
        ),
    );
    // A serial console: `qm terminal` and the web console work before the network does.
    b.insert("serial_device".into(), json!([{ "device": "socket" }]));
    b.insert("vga".into(), json!({ "type": "serial0" }));
    if arm {
        b.insert("bios".into(), json!("ovmf"));
        b.insert(
            "efi_disk".into(),
            json!({ "datastore_id": tf(&vm.datastore.value), "type": "4m" }),
        );
    }
    if let Some(p) = provider {
        b.insert("provider".into(), Value::String(p.clone()));
    }
    b
}

/// The provider reads `network_device` as a list of objects with every key
/// present (`null` where unused).
fn network_device(bridge: &str, vlan: Option<u64>) -> Value {
    json!({
        "bridge": tf(bridge),
        "vlan_id": vlan,
        "model": "virtio",
        "disconnected": null,
        "enabled": null,
        "firewall": null,
        "mac_address": null,
        "mtu": null,
        "queues": null,
        "rate_limit": null,
        "trunks": null,
    })
}

fn initialization(
    ir: &Ir,
    n: &Node,
    vm: &Vm,
    cidr: Cidr,
    gateway: Option<std::net::IpAddr>,
    dns: &[crate::span::Spanned<std::net::IpAddr>],
) -> Value {
    let family = if n.ip.value.is_ipv4() { "ipv4" } else { "ipv6" };
    let mut ip = Map::new();
    ip.insert(
        "address".into(),
        Value::String(format!("{}/{}", n.ip.value, cidr.prefix_len())),
    );
    if let Some(g) = gateway {
        ip.insert("gateway".into(), Value::String(g.to_string()));
    }
    let mut init = Map::new();
    init.insert(
        "datastore_id".into(),
        Value::String(tf(&vm.datastore.value)),
    );
    init.insert("ip_config".into(), json!([{ family: ip }]));
    let mut d = Map::new();
    if !dns.is_empty() {
        d.insert(
            "servers".into(),
            json!(dns.iter().map(|s| s.value.to_string()).collect::<Vec<_>>()),
        );
    }
    if let Some(domain) = &ir.site.domain {
        d.insert("domain".into(), Value::String(tf(domain)));
    }
    if !d.is_empty() {
        init.insert("dns".into(), Value::Object(d));
    }
    let mut user = Map::new();
    user.insert("username".into(), Value::String(tf(&ir.site.admin_user)));
    if !ir.site.ssh_keys.is_empty() {
        user.insert(
            "keys".into(),
            json!(ir.site.ssh_keys.iter().map(|k| tf(k)).collect::<Vec<_>>()),
        );
    }
    init.insert("user_account".into(), Value::Object(user));
    Value::Object(init)
}
