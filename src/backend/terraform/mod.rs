//! The Terraform backend: IR → `terraform/main.tf.json` (Terraform/OpenTofu
//! JSON syntax). Resource names are the stack's own names; every resource
//! carries a `"//"` key naming the `.stack` file and line it came from;
//! secrets become sensitive variables; every source string is escaped so
//! Terraform reads it literally. JSON objects are sorted maps, so the same
//! stack always gives byte-identical output.

mod cloudflare;
mod proxmox;
mod zerotier;

use super::escape::{tf, tf_cow, tf_ident};
use super::json::{Json, Stencil, Template};
use crate::diag::{codes, Diagnostic};
use crate::ir::{Credential, Ir, StateBackend};
use crate::source::SourceMap;
use crate::span::Span;
use serde_json::{json, Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Providers and the versions stackc's output is written for.
const PROVIDERS: &[(&str, &str, &str)] = &[
    ("proxmox", "bpg/proxmox", ">= 0.111.1, < 1.0.0"),
    ("cloudflare", "cloudflare/cloudflare", "~> 5.0"),
    ("zerotier", "zerotier/zerotier", "~> 1.6"),
];

/// Where the document goes, relative to the output directory.
pub const PATH: &str = "terraform/main.tf.json";

/// Emit `main.tf.json`, or the reasons it cannot be written.
pub fn emit(ir: &Ir, sources: &SourceMap) -> Result<String, Vec<Diagnostic>> {
    emit_counted(ir, sources).map(|(text, _)| text)
}

/// `main.tf.json` and the number of resources per provider.
pub fn emit_counted(
    ir: &Ir,
    sources: &SourceMap,
) -> Result<(String, BTreeMap<String, usize>), Vec<Diagnostic>> {
    let doc = prepare(ir, sources)?;
    let counts = doc.counts();
    Ok((doc.text(), counts))
}

/// Everything `main.tf.json` will hold, resolved and checked: writing it
/// can no longer fail but for I/O. A fleet's document is written straight
/// to its file ([`Document::write`]) instead of being held as one string.
pub struct Document<'a> {
    tf: Tf<'a>,
}

/// Resolve every resource, or report why the document cannot be written.
pub fn prepare<'a>(ir: &'a Ir, sources: &'a SourceMap) -> Result<Document<'a>, Vec<Diagnostic>> {
    let mut tf = Tf {
        ir,
        sources,
        resources: BTreeMap::new(),
        variables: Map::new(),
        providers: BTreeMap::new(),
        outputs: Map::new(),
        diags: Vec::new(),
    };
    proxmox::emit(&mut tf);
    cloudflare::emit(&mut tf);
    zerotier::emit(&mut tf);
    if !tf.diags.is_empty() {
        return Err(tf.diags);
    }
    Ok(Document { tf })
}

impl Document<'_> {
    /// Resources per provider (for the build summary).
    pub fn counts(&self) -> BTreeMap<String, usize> {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for (ty, items) in &self.tf.resources {
            *counts
                .entry(ty.split('_').next().unwrap_or(ty).to_string())
                .or_default() += items.len();
        }
        counts
    }

    /// The whole document as one string.
    pub fn text(&self) -> String {
        let vms = self.tf.ir.nodes.iter().filter(|n| n.vm.is_some()).count();
        let mut j = Json::with_capacity(16 * 1024 + vms * 2400);
        self.tf.document(&mut j, &mut proxmox::VmWriter::default());
        j.raw("\n");
        j.finish()
    }

    /// Write the document to `sink` as it is produced; the bytes written.
    pub fn write(&self, sink: &mut dyn super::json::Sink) -> std::io::Result<u64> {
        let mut j = Json::streaming(sink);
        self.tf.document(&mut j, &mut proxmox::VmWriter::default());
        j.raw("\n");
        j.close_stream()
    }
}

/// A resource's body. Small ones are built as JSON values; a VM, of which a
/// fleet has thousands, is written straight from the IR.
enum Body<'a> {
    Json(Map<String, Value>),
    Vm(proxmox::VmRef<'a>),
}

struct Resource<'a> {
    /// The stack construct it came from, written as its `"//"` key.
    span: Span,
    body: Body<'a>,
}

/// The document under construction.
pub struct Tf<'a> {
    pub ir: &'a Ir,
    sources: &'a SourceMap,
    /// type → name → body
    resources: BTreeMap<String, BTreeMap<String, Resource<'a>>>,
    variables: Map<String, Value>,
    /// provider name → its configuration (one object, or an array of aliases)
    providers: BTreeMap<String, Value>,
    outputs: Map<String, Value>,
    diags: Vec<Diagnostic>,
}

impl<'a> Tf<'a> {
    /// `"//": "from file.stack:12"`, the member naming where a resource
    /// came from (written without building the string).
    fn write_trace(&self, j: &mut Json, span: Span) {
        let file = self.sources.get(span.file);
        let (line, _) = file.line_col(span.start as usize);
        j.field("//");
        j.string_start("from ", false);
        j.string_more(&file.name, false);
        j.string_more(":", false);
        j.u64(line as u64);
        j.string_end("", false);
    }

    /// Add a resource; two stack names that map to one Terraform address
    /// are an error at the second.
    pub fn resource(
        &mut self,
        ty: &str,
        name: &str,
        span: Span,
        body: Map<String, Value>,
    ) -> String {
        let id = tf_ident(name);
        self.add(ty, id.clone(), name, span, Body::Json(body));
        id
    }

    /// Add a resource under its Terraform name `id`.
    fn add(&mut self, ty: &str, id: String, name: &str, span: Span, body: Body<'a>) {
        use std::collections::btree_map::Entry;
        let items = match self.resources.get_mut(ty) {
            Some(items) => items,
            None => self.resources.entry(ty.to_string()).or_default(),
        };
        // One search of the (large, for VMs) map: the address is new, or
        // the first resource that took it is at hand for the diagnostic.
        let first = match items.entry(id) {
            Entry::Vacant(e) => {
                e.insert(Resource { span, body });
                return;
            }
            Entry::Occupied(e) => e,
        };
        let address = format!("{ty}.{}", first.key());
        self.diags.push(
            Diagnostic::new(
                &codes::DUPLICATE_NAME,
                span,
                format!("`{name}` and another name both become the Terraform address `{address}`"),
            )
            .label("Terraform names allow letters, digits, `_` and `-`")
            .with_secondary(first.get().span, "the other one")
            .help("rename one of them so they differ in letters or digits"),
        );
    }

    /// A credential as a Terraform value: a secret becomes a sensitive
    /// variable (its value is never written), a plain string stays literal.
    pub fn credential(&mut self, c: &Credential) -> Value {
        match c {
            Credential::Secret(name) => {
                Value::String(format!("${{var.{}}}", self.secret_var(name)))
            }
            Credential::Plain(s) => Value::String(tf(s)),
        }
    }

    /// Declare the variable for `secret("NAME")`; returns its name.
    pub fn secret_var(&mut self, secret: &str) -> String {
        let var = secret.to_ascii_lowercase();
        self.variables.entry(var.clone()).or_insert_with(|| {
            json!({
                "type": "string",
                "sensitive": true,
                "description": format!("secret(\"{secret}\") in the stack; supply it as TF_VAR_{var} (never written to any file)"),
            })
        });
        var
    }

    /// Declare a plain input variable.
    pub fn input_var(&mut self, name: &str, description: String) -> String {
        self.variables
            .entry(name.to_string())
            .or_insert_with(|| json!({ "type": "string", "description": description }));
        name.to_string()
    }

    /// A sensitive input variable that is not a `secret()` of the stack.
    pub fn secret_input(&mut self, name: &str, description: String) {
        self.variables.entry(name.to_string()).or_insert_with(
            || json!({ "type": "string", "sensitive": true, "description": description }),
        );
    }

    pub fn output(&mut self, name: &str, body: Value) {
        self.outputs.insert(name.to_string(), body);
    }

    pub fn provider(&mut self, name: &str, config: Value) {
        self.providers.insert(name.to_string(), config);
    }

    pub fn has_resources(&self, prefix: &str) -> bool {
        self.resources.keys().any(|t| t.starts_with(prefix))
    }

    /// The `nodes` output: each node's address, hostname and (for VMs)
    /// VMID, by Terraform-escaped name (sorted; a later node of the same
    /// name wins, as in a map).
    fn write_nodes_output(&self, j: &mut Json) {
        let mut nodes: Vec<(Cow<str>, usize)> = self
            .ir
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (tf_cow(&n.name), i))
            .collect();
        // Equal names: the later node first, so `dedup` keeps it.
        nodes.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        nodes.dedup_by(|later, earlier| later.0 == earlier.0);
        j.begin_object();
        j.str_member(
            "description",
            "Every node of the stack: address, hostname and Proxmox VMID",
        );
        j.field("value");
        j.begin_object();
        // One template for nodes with a VM, one for those without.
        let mut templates: [Option<Template>; 2] = [None, None];
        for (name, i) in nodes {
            let n = &self.ir.nodes[i];
            j.key(&name);
            let write = |s: &mut Stencil| node_output(s, n);
            let t = &mut templates[usize::from(n.vm.is_some())];
            let t = t.get_or_insert_with(|| j.record(write));
            j.replay(t, write);
        }
        j.end_object();
        j.end_object();
    }

    /// The whole document, written in sorted key order.
    fn document(&self, j: &mut Json, vms: &mut proxmox::VmWriter<'a>) {
        j.begin_object();
        j.str_member(
            "//",
            "Generated by stackc. Edit the .stack source, not this file.",
        );
        self.write_outputs(j);
        let providers: Vec<(&String, &Value)> = self
            .providers
            .iter()
            .filter(|(name, _)| self.has_resources(&format!("{name}_")))
            .collect();
        if !providers.is_empty() {
            j.field("provider");
            j.begin_object();
            for (name, config) in providers {
                j.key(name);
                j.value(config);
            }
            j.end_object();
        }
        if !self.resources.is_empty() {
            j.field("resource");
            self.write_resources(j, vms);
        }
        j.field("terraform");
        j.begin_object();
        j.field("backend");
        j.value(&backend(self.ir));
        let mut required: Vec<_> = PROVIDERS
            .iter()
            .filter(|(name, _, _)| self.has_resources(&format!("{name}_")))
            .collect();
        required.sort();
        if !required.is_empty() {
            j.field("required_providers");
            j.begin_object();
            for (name, source, version) in required {
                j.key(name);
                j.begin_object();
                j.str_member("source", source);
                j.str_member("version", version);
                j.end_object();
            }
            j.end_object();
        }
        j.end_object();
        if !self.variables.is_empty() {
            j.field("variable");
            j.begin_object();
            for (name, v) in &self.variables {
                j.key(name);
                j.value(v);
            }
            j.end_object();
        }
        j.end_object();
    }

    /// `output`: the backends' outputs and `nodes`, merged in key order.
    fn write_outputs(&self, j: &mut Json) {
        let with_nodes = !self.ir.nodes.is_empty();
        if self.outputs.is_empty() && !with_nodes {
            return;
        }
        j.field("output");
        j.begin_object();
        let mut nodes_pending = with_nodes;
        for (name, body) in &self.outputs {
            if nodes_pending && name.as_str() >= "nodes" {
                j.field("nodes");
                self.write_nodes_output(j);
                nodes_pending = false;
                if name == "nodes" {
                    continue;
                }
            }
            j.key(name);
            j.value(body);
        }
        if nodes_pending {
            j.field("nodes");
            self.write_nodes_output(j);
        }
        j.end_object();
    }

    fn write_resources(&self, j: &mut Json, vms: &mut proxmox::VmWriter<'a>) {
        j.begin_object();
        for (ty, items) in &self.resources {
            j.key(ty);
            j.begin_object();
            for (id, r) in items {
                j.key(id);
                j.begin_object();
                match &r.body {
                    Body::Json(map) => {
                        self.write_trace(j, r.span);
                        for (k, v) in map {
                            j.key(k);
                            j.value(v);
                        }
                    }
                    Body::Vm(vm) => vms.write(vm, self, j),
                }
                j.end_object();
            }
            j.end_object();
        }
        j.end_object();
    }
}

/// `{ "hostname": …, "ip": …, "vm_id": … }` of one node in `nodes`.
fn node_output(s: &mut Stencil, n: &crate::ir::Node) {
    s.fixed(|j| {
        j.begin_object();
        j.field("hostname");
    });
    s.value(|j| j.tf_string(&n.hostname.value));
    s.fixed(|j| j.field("ip"));
    s.value(|j| j.ip(n.ip.value, None));
    if let Some(vm) = &n.vm {
        s.fixed(|j| j.field("vm_id"));
        s.value(|j| j.u64(vm.id.value));
    }
    s.fixed(|j| j.end_object());
}

/// `site { state { … } }` → `terraform.backend` (local when absent), so a
/// team shares state the way Terraform users already do.
fn backend(ir: &Ir) -> Value {
    let s = &ir.site.state;
    let get = |k: &str| s.settings.get(k).map(|v| Value::String(tf(v)));
    let mut body = Map::new();
    match s.backend {
        StateBackend::Local => {
            body.insert(
                "path".into(),
                get("path").unwrap_or_else(|| json!("terraform.tfstate")),
            );
        }
        StateBackend::S3 => {
            body.insert(
                "bucket".into(),
                get("bucket").unwrap_or_else(|| json!("tfstate")),
            );
            let key = if ir.site.name.is_empty() {
                "stackc".to_string()
            } else {
                ir.site.name.clone()
            };
            body.insert(
                "key".into(),
                get("key")
                    .unwrap_or_else(|| Value::String(tf(&format!("{key}/terraform.tfstate")))),
            );
            body.insert(
                "region".into(),
                get("region").unwrap_or_else(|| json!("us-east-1")),
            );
            if let Some(endpoint) = get("endpoint") {
                // An S3-compatible store (MinIO, Garage, Ceph RGW) rather than AWS.
                body.insert("endpoints".into(), json!({ "s3": endpoint }));
                for flag in [
                    "use_path_style",
                    "skip_credentials_validation",
                    "skip_region_validation",
                    "skip_requesting_account_id",
                    "skip_metadata_api_check",
                    "skip_s3_checksum",
                ] {
                    body.insert(flag.into(), Value::Bool(true));
                }
            }
        }
        StateBackend::Consul => {
            for k in ["address", "path", "scheme"] {
                if let Some(v) = get(k) {
                    body.insert(k.into(), v);
                }
            }
        }
        StateBackend::Pg => {
            for k in ["conn_str", "schema_name"] {
                if let Some(v) = get(k) {
                    body.insert(k.into(), v);
                }
            }
        }
        StateBackend::Http => {
            for k in ["address", "lock_address", "unlock_address"] {
                if let Some(v) = get(k) {
                    body.insert(k.into(), v);
                }
            }
        }
    }
    json!({ s.backend.word(): body })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// VMs in many shapes: two endpoints (a provider alias), arm64 and
    /// amd64, networks with and without VLAN, gateway and DNS, names and
    /// strings Terraform would read as templates.
    const SHAPES: &str = r#"
site "lab" {
  domain   = "x\${y}.lan"
  ssh_keys = ["ssh-ed25519 AAAA k%{ey"]
}
hypervisor "pve1" {
  endpoint = "https://10.255.0.1:8006/"
  cpu = 1000
  memory = 1024GiB
  datastore "local-lvm" { size = 100TiB }
}
hypervisor "pve2" {
  endpoint = "https://10.255.0.2:8006/"
  arch = arm64
  cpu = 1000
  memory = 1024GiB
  datastore "local-lvm" { size = 100TiB }
}
network "a" {
  cidr = 10.0.0.0/16
  gateway = 10.0.0.1
  vlan = 10
  dns = [10.0.0.1, 10.0.0.2]
}
network "b" { cidr = 10.1.0.0/16 }
node "cp" {
  count = 3
  roles = [control_plane, etcd]
  network = network.a
  ip = 10.0.0.10
  vm { host = hypervisor.pve1  cpu = 2  memory = 4GiB  disk = 32GiB }
}
node "w" {
  count = 40
  roles = [worker]
  network = network.b
  ip = 10.1.0.10
  vm { host = hypervisor.pve1  cpu = 4  memory = 3000MiB  disk = 40GiB }
}
node "arm" {
  count = 5
  roles = [worker, storage]
  arch = arm64
  network = network.a
  ip = 10.0.1.10
  vm { host = hypervisor.pve2  cpu = 1  memory = 1GiB  disk = 8GiB }
}
"#;

    fn texts(c: &crate::Compilation) -> (String, String) {
        let ir = c.ir.as_ref().expect("lowers");
        let doc = prepare(ir, &c.sources).expect("emits");
        let mut direct = Json::default();
        doc.tf.document(&mut direct, &mut proxmox::VmWriter::new(0));
        (doc.text(), direct.finish() + "\n")
    }

    #[test]
    fn templated_vms_are_written_as_directly_written_ones() {
        let c = crate::compile_str("shapes.stack", SHAPES, &Default::default(), false);
        let errors: Vec<&str> = c.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert!(!c.has_errors(), "{errors:?}");
        let (templated, direct) = texts(&c);
        assert!(templated.contains("\"architecture\": \"aarch64\""));
        assert!(templated.contains("\"provider\": \"proxmox.pve2\""));
        assert_eq!(templated, direct);
        let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
        for e in std::fs::read_dir(examples).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "stack") {
                let c = crate::compile(&path, &Default::default(), false);
                let (templated, direct) = texts(&c);
                assert_eq!(templated, direct, "{}", path.display());
            }
        }
    }
}
