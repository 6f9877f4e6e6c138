//! `stackc build` on disk. The two backends share nothing but the IR they
//! read, so they run on two threads: this one resolves the Terraform
//! document and streams it into `main.tf.json`, the other generates the
//! Ansible project and writes it. Both write into the new directory of
//! [`write::write_atomic_with`]; it is put in place only when both have
//! finished without error, so a failure of either leaves the previous
//! output untouched.

use super::{ansible, terraform, write};
use crate::diag::Diagnostic;
use crate::ir::Ir;
use crate::source::SourceMap;
use crate::Only;
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver};
use std::thread::ScopedJoinHandle;

/// What a build wrote, for its summary.
#[derive(Debug, Default)]
pub struct Built {
    /// Every file written (path under the output directory): its size.
    pub files: BTreeMap<String, u64>,
    /// Terraform resources per provider.
    pub resources: BTreeMap<String, usize>,
    /// The Ansible project's figures (none with `--only terraform`).
    pub ansible: Option<ansible::Summary>,
}

/// Why a build wrote nothing.
#[derive(Debug)]
pub enum BuildError {
    /// Diagnostics of the input (Terraform addresses that collide).
    Input(Vec<Diagnostic>),
    /// Writing failed.
    Io(io::Error),
}

impl From<io::Error> for BuildError {
    fn from(e: io::Error) -> Self {
        BuildError::Io(e)
    }
}

/// The Ansible half's result: its files' sizes and the summary.
type AnsibleDone = io::Result<(BTreeMap<String, u64>, ansible::Summary)>;

/// Emit the backends `only` names for a checked IR and put the result in
/// place at `target` atomically.
pub fn build(ir: &Ir, sources: &SourceMap, only: Only, target: &Path) -> Result<Built, BuildError> {
    std::thread::scope(|s| {
        // The Ansible project is generated while Terraform resolves; it is
        // written once the new directory exists (never, if Terraform fails:
        // the sender is dropped and nothing is created).
        let (dir_tx, dir_rx) = channel::<PathBuf>();
        let ansible = (only != Only::Terraform).then(|| s.spawn(move || ansible_half(ir, &dir_rx)));
        let doc = if only == Only::Ansible {
            None
        } else {
            match terraform::prepare(ir, sources) {
                Ok(doc) => Some(doc),
                Err(diags) => return Err(BuildError::Input(diags)),
            }
        };
        let mut built = Built {
            resources: doc.as_ref().map(|d| d.counts()).unwrap_or_default(),
            ..Built::default()
        };
        write::write_atomic_with(target, |dir| {
            // The receiver lives until the other thread ends; if it ended
            // early (a panic), joining it below reports that.
            let _ = dir_tx.send(dir.to_path_buf());
            let tf = doc.as_ref().map(|d| write_document(d, dir)).transpose();
            // Always joined before returning: the directory must not be
            // installed, or removed, while the other thread writes into it.
            let ans = ansible.map(join).transpose();
            if let Some(bytes) = tf? {
                built.files.insert(terraform::PATH.to_string(), bytes);
            }
            if let Some((files, summary)) = ans? {
                built.files.extend(files);
                built.ansible = Some(summary);
            }
            Ok::<(), io::Error>(())
        })?;
        Ok(built)
    })
}

/// `main.tf.json` streamed into the new directory; its size. A third
/// thread makes the `write` calls while the next bytes are produced.
fn write_document(doc: &terraform::Document, dir: &Path) -> io::Result<u64> {
    let path = dir.join(terraform::PATH);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let file = std::fs::File::create(path)?;
    super::json::write_piped(file, |sink| doc.write(sink))
}

/// Generate the Ansible project, wait for the directory, write it there.
fn ansible_half(ir: &Ir, dir: &Receiver<PathBuf>) -> AnsibleDone {
    let (files, summary) = ansible::emit_summarized(ir);
    let dir = dir
        .recv()
        .map_err(|_| io::Error::other("the build stopped before writing"))?
        .join("ansible");
    let sizes = files
        .iter()
        .map(|(path, text)| (format!("ansible/{path}"), text.len() as u64))
        .collect();
    std::fs::create_dir(&dir)?;
    // Each file is freed once written.
    write::write_files(&dir, files)?;
    Ok((sizes, summary))
}

/// The other thread's result; its panic, re-raised here.
fn join(h: ScopedJoinHandle<'_, AnsibleDone>) -> AnsibleDone {
    h.join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Compilation;

    const STACK: &str = r#"
hypervisor "pve1" {
  endpoint = "https://10.255.0.1:8006/"
  datastore "local-lvm" { size = 10TiB }
}
network "k8s" { cidr = 10.1.1.0/24 }
node "cp" {
  roles = [control_plane]
  ip = 10.1.1.10
  vm { host = hypervisor.pve1 }
}
node "w" {
  count = 3
  roles = [worker]
  ip = 10.1.1.20
  vm { host = hypervisor.pve1 }
}
"#;

    fn compiled(text: &str) -> Compilation {
        let c = crate::compile_str("b.stack", text, &Default::default(), false);
        assert!(!c.has_errors(), "{:?}", c.diagnostics);
        c
    }

    fn files_under(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut dirs = vec![dir.to_path_buf()];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                } else {
                    let rel = p.strip_prefix(dir).unwrap();
                    out.push(rel.to_string_lossy().into_owned());
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn both_halves_write_what_emit_holds_and_report_it() {
        let c = compiled(STACK);
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        for only in [Only::All, Only::Terraform, Only::Ansible] {
            let built = crate::build(&c, only, &target).unwrap();
            let want = crate::emit(&c, only).unwrap();
            assert_eq!(
                files_under(&target),
                want.files.keys().cloned().collect::<Vec<_>>()
            );
            for (path, text) in &want.files {
                assert_eq!(&std::fs::read_to_string(target.join(path)).unwrap(), text);
                assert_eq!(built.files[path], text.len() as u64);
            }
            assert_eq!(built.resources, want.resources);
            assert_eq!(built.ansible.is_some(), only != Only::Terraform);
        }
        let summary = crate::build(&c, Only::All, &target)
            .unwrap()
            .ansible
            .unwrap();
        assert_eq!(summary.hosts, 4);
        assert_eq!(summary.groups["workers"], 3);
        assert!(summary.plays > 0);
    }

    #[test]
    fn colliding_terraform_addresses_write_nothing() {
        let c = compiled(STACK);
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        crate::build(&c, Only::All, &target).unwrap();
        let before = files_under(&target);
        let inventory = std::fs::read(target.join("ansible/inventory.yml")).unwrap();
        // Bridges `a` + `b-c` and `a-b` + `c` are both `a-b-c` to Terraform.
        let bad = compiled(&format!(
            "{STACK}\nhypervisor \"a\" {{\n  endpoint = \"https://10.255.0.2:8006/\"\n  bridge \"b-c\" {{}}\n}}\nhypervisor \"a-b\" {{\n  endpoint = \"https://10.255.0.3:8006/\"\n  bridge \"c\" {{}}\n}}\n"
        ));
        match crate::build(&bad, Only::All, &target) {
            Err(BuildError::Input(d)) => assert!(d[0].message.contains("a-b-c"), "{d:?}"),
            other => panic!("expected the collision, got {other:?}"),
        }
        assert_eq!(files_under(&target), before);
        assert_eq!(
            std::fs::read(target.join("ansible/inventory.yml")).unwrap(),
            inventory
        );
        let names = write::leftovers(dir.path());
        assert!(names.is_empty(), "{names:?}");
    }
}
