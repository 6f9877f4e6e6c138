//! `bpg/proxmox`: the provider (one per API endpoint), one cloud-image
//! download per (image, arch, Proxmox node, datastore) that some VM needs,
//! and one VM per expanded node with a `vm` block.

use super::Tf;
use crate::backend::escape::{tf, tf_ident};
use crate::backend::json::{Json, Stencil, Template};
use crate::ir::value::Size;
use crate::ir::{
    Arch, DatastoreContent, Hypervisor, HypervisorId, ImageId, Ir, NetworkId, Node, Role, Vm,
};
use crate::span::FileId;
use rustc_hash::FxHashMap as HashMap;
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
    // The same (image, arch, hypervisor) always maps to the same download:
    // a fleet looks its key up once per hypervisor, not once per VM.
    let mut seen: HashMap<(ImageId, Arch, HypervisorId), String> = HashMap::default();
    for n in &ir.nodes {
        let Some(vm) = &n.vm else { continue };
        let hv = ir.hypervisor(vm.host.value);
        let image = ir.image(n.os.value);
        let Some(url) = image.urls.get(&n.arch.value) else {
            continue;
        };
        let file = match seen.get(&(n.os.value, n.arch.value, vm.host.value)) {
            Some(file) => file.clone(),
            None => {
                let file = download(t, &mut downloads, n, vm, url, &aliases);
                seen.insert((n.os.value, n.arch.value, vm.host.value), file.clone());
                file
            }
        };
        let body = VmRef {
            node: n,
            vm,
            hv,
            file,
            provider: aliases.get(&vm.host.value).cloned(),
        };
        t.add(
            "proxmox_virtual_environment_vm",
            tf_ident(&n.name),
            &n.name,
            n.span,
            super::Body::Vm(body),
        );
    }
}

/// The `proxmox_download_file` of a VM's image on its hypervisor: one per
/// (image, arch, Proxmox node, datastore).
fn download(
    t: &mut Tf,
    downloads: &mut BTreeMap<(String, Arch, String, String), String>,
    n: &Node,
    vm: &Vm,
    url: &str,
    aliases: &BTreeMap<HypervisorId, String>,
) -> String {
    let ir = t.ir;
    let hv = ir.hypervisor(vm.host.value);
    let image = ir.image(n.os.value);
    let store = image_store(hv);
    let key = (
        image.name.clone(),
        n.arch.value,
        hv.node_name.clone(),
        store.clone(),
    );
    if let Some(name) = downloads.get(&key) {
        return name.clone();
    }
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

/// A VM resource, written from the IR when the document is (a fleet has
/// thousands; see [`crate::backend::json`]).
pub(super) struct VmRef<'a> {
    node: &'a Node,
    vm: &'a Vm,
    hv: &'a Hypervisor,
    /// The `proxmox_download_file` resource of its image.
    file: String,
    provider: Option<String>,
}

/// What decides the fixed parts of a VM's body (everything but its
/// [`Stencil::value`]s): VMs of one shape share one template.
#[derive(PartialEq, Eq, Hash)]
struct Shape<'a> {
    /// The file named in `"//"`.
    file: FileId,
    arm: bool,
    ipv4: bool,
    network: NetworkId,
    /// With the arch and the host, decides the image download.
    os: ImageId,
    /// Also decides the provider alias and the Proxmox node name.
    host: HypervisorId,
    roles: &'a [Role],
}

/// A stack whose VMs mostly differ in shape gains nothing from templates;
/// past this many, new shapes are written directly.
const MAX_TEMPLATES: usize = 1024;

/// Writes VM bodies from one template per shape (see
/// [`crate::backend::json::Stencil`]); lives for one write of the document.
pub(super) struct VmWriter<'a> {
    templates: HashMap<Shape<'a>, Template>,
    /// How many shapes get a template.
    limit: usize,
}

impl Default for VmWriter<'_> {
    fn default() -> Self {
        VmWriter::new(MAX_TEMPLATES)
    }
}

impl<'a> VmWriter<'a> {
    /// A writer that records templates for up to `limit` shapes (0: every
    /// VM is written directly).
    pub(super) fn new(limit: usize) -> Self {
        VmWriter {
            templates: HashMap::default(),
            limit,
        }
    }

    /// The body's members, `"//"` first, in sorted key order.
    pub(super) fn write(&mut self, vm: &VmRef<'a>, t: &Tf, j: &mut Json) {
        let shape = vm.shape();
        let write = |s: &mut Stencil| vm.write_members(t, s);
        if let Some(template) = self.templates.get(&shape) {
            j.replay(template, write);
        } else if self.templates.len() >= self.limit {
            j.direct(write);
        } else {
            let template = j.record(write);
            j.replay(&template, write);
            self.templates.insert(shape, template);
        }
    }
}

impl<'a> VmRef<'a> {
    fn shape(&self) -> Shape<'a> {
        let n = self.node;
        Shape {
            file: n.span.file,
            arm: n.arch.value == Arch::Arm64,
            ipv4: n.ip.value.is_ipv4(),
            network: n.network.value,
            os: n.os.value,
            host: self.vm.host.value,
            roles: &n.roles.value,
        }
    }

    /// The body's members; fixed parts may read only what [`Shape`] holds
    /// (and the site, the same for every VM).
    fn write_members(&self, t: &Tf, s: &mut Stencil) {
        let (n, vm, ir) = (self.node, self.vm, t.ir);
        let arm = n.arch.value == Arch::Arm64;
        // `"//": "from file.stack:12"`, as `Tf::write_trace` writes it.
        let file = t.sources.get(n.span.file);
        s.fixed(|j| {
            j.field("//");
            j.string_start("from ", false);
            j.string_more(&file.name, false);
            j.string_more(":", false);
        });
        s.value(|j| j.u64(file.line_col(n.span.start as usize).0 as u64));
        s.fixed(|j| {
            j.string_end("", false);
            j.field("agent");
            object(j, |j| j.field("enabled"), |j| j.bool(true));
            if arm {
                j.str_member("bios", "ovmf");
            }
            j.field("cpu");
            j.begin_object();
            if arm {
                j.str_member("architecture", "aarch64");
            }
            j.field("cores");
        });
        s.value(|j| j.u64(vm.cpu.value));
        s.fixed(|j| {
            j.str_member("type", if arm { "host" } else { "x86-64-v2-AES" });
            j.end_object();
            j.field("description");
        });
        // "name (role, role), managed by stackc": only the name varies.
        s.value(|j| j.string_start(&n.name, true));
        s.fixed(|j| {
            let roles: Vec<&str> = n.roles.value.iter().map(|r| r.word()).collect();
            j.string_end(&format!(" ({}), managed by stackc", roles.join(", ")), true);
        });
        self.write_disk(s);
        if arm {
            s.fixed(|j| {
                j.field("efi_disk");
                j.begin_object();
                j.field("datastore_id");
            });
            s.value(|j| j.tf_string(&vm.datastore.value));
            s.fixed(|j| {
                j.str_member("type", "4m");
                j.end_object();
            });
        }
        s.fixed(|j| j.field("initialization"));
        initialization(s, ir, n, vm);
        s.fixed(|j| {
            j.field("memory");
            j.begin_object();
            j.field("dedicated");
        });
        s.value(|j| j.u64(ceil_div(vm.memory.value.bytes(), Size::MIB)));
        s.fixed(|j| {
            j.end_object();
            j.field("name");
        });
        s.value(|j| j.tf_string(&n.hostname.value));
        s.fixed(|j| self.write_fixed_tail(ir, j));
        s.value(|j| j.u64(vm.id.value));
    }

    /// From `network_device` to the key of `vm_id`: the same for a shape.
    fn write_fixed_tail(&self, ir: &Ir, j: &mut Json) {
        let net = ir.network(self.node.network.value);
        j.field("network_device");
        network_device(j, &net.bridge, net.vlan.as_ref().map(|v| v.value));
        j.field("node_name");
        j.tf_string(&self.hv.node_name);
        j.field("on_boot");
        j.bool(true);
        j.field("operating_system");
        object(j, |j| j.field("type"), |j| j.string("l26"));
        if let Some(p) = &self.provider {
            j.str_member("provider", p);
        }
        j.str_member("scsi_hardware", "virtio-scsi-single");
        // A serial console: `qm terminal` and the web console work before the network does.
        j.field("serial_device");
        j.begin_array();
        j.item();
        object(j, |j| j.field("device"), |j| j.string("socket"));
        j.end_array();
        j.field("started");
        j.bool(true);
        j.field("stop_on_destroy");
        j.bool(true);
        j.field("tags");
        self.write_tags(j);
        j.field("vga");
        object(j, |j| j.field("type"), |j| j.string("serial0"));
        j.field("vm_id");
    }

    fn write_disk(&self, s: &mut Stencil) {
        let vm = self.vm;
        s.fixed(|j| {
            j.field("disk");
            j.begin_array();
            j.item();
            j.begin_object();
            j.field("datastore_id");
        });
        s.value(|j| j.tf_string(&vm.datastore.value));
        s.fixed(|j| {
            j.str_member("discard", "on");
            j.field("import_from");
            j.string(&format!("${{proxmox_download_file.{}.id}}", self.file));
            j.str_member("interface", "scsi0");
            j.field("iothread");
            j.bool(true);
            j.field("size");
        });
        s.value(|j| j.u64(ceil_div(vm.disk.value.bytes(), Size::GIB)));
        s.fixed(|j| {
            j.end_object();
            j.end_array();
        });
    }

    fn write_tags(&self, j: &mut Json) {
        let n = self.node;
        j.begin_array();
        j.item();
        j.string("stackc");
        for r in &n.roles.value {
            j.item();
            j.string(&r.word().replace('_', "-"));
        }
        if n.has(Role::ControlPlane) || n.has(Role::Worker) {
            j.item();
            j.string("k8s");
        }
        j.end_array();
    }
}

/// `{ key: value }` with one member.
fn object(j: &mut Json, key: impl FnOnce(&mut Json), value: impl FnOnce(&mut Json)) {
    j.begin_object();
    key(j);
    value(j);
    j.end_object();
}

/// The provider reads `network_device` as a list of objects with every key
/// present (`null` where unused).
fn network_device(j: &mut Json, bridge: &str, vlan: Option<u64>) {
    j.begin_array();
    j.item();
    j.begin_object();
    j.field("bridge");
    j.tf_string(bridge);
    for k in ["disconnected", "enabled", "firewall", "mac_address"] {
        j.field(k);
        j.null();
    }
    j.str_member("model", "virtio");
    for k in ["mtu", "queues", "rate_limit", "trunks"] {
        j.field(k);
        j.null();
    }
    j.field("vlan_id");
    match vlan {
        Some(v) => j.u64(v),
        None => j.null(),
    }
    j.end_object();
    j.end_array();
}

/// Cloud-init: address, DNS and the admin account.
fn initialization(s: &mut Stencil, ir: &Ir, n: &Node, vm: &Vm) {
    let net = ir.network(n.network.value);
    s.fixed(|j| {
        j.begin_object();
        j.field("datastore_id");
    });
    s.value(|j| j.tf_string(&vm.datastore.value));
    s.fixed(|j| {
        let domain = ir.site.domain.as_deref();
        if !net.dns.is_empty() || domain.is_some() {
            j.field("dns");
            j.begin_object();
            if let Some(d) = domain {
                j.field("domain");
                j.tf_string(d);
            }
            if !net.dns.is_empty() {
                j.field("servers");
                j.begin_array();
                for s in &net.dns {
                    j.item();
                    j.ip(s.value, None);
                }
                j.end_array();
            }
            j.end_object();
        }
        j.field("ip_config");
        j.begin_array();
        j.item();
        j.begin_object();
        j.field(if n.ip.value.is_ipv4() { "ipv4" } else { "ipv6" });
        j.begin_object();
        j.field("address");
    });
    s.value(|j| j.ip(n.ip.value, Some(net.cidr.value.prefix_len())));
    s.fixed(|j| {
        if let Some(g) = &net.gateway {
            j.field("gateway");
            j.ip(g.value, None);
        }
        j.end_object();
        j.end_object();
        j.end_array();
        user_account(j, ir);
        j.end_object();
    });
}

fn user_account(j: &mut Json, ir: &Ir) {
    j.field("user_account");
    j.begin_object();
    if !ir.site.ssh_keys.is_empty() {
        j.field("keys");
        j.begin_array();
        for k in &ir.site.ssh_keys {
            j.item();
            j.tf_string(k);
        }
        j.end_array();
    }
    j.field("username");
    j.tf_string(&ir.site.admin_user);
    j.end_object();
}
