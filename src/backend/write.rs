//! Writing an output directory atomically: everything goes into a fresh
//! directory beside the target, which then replaces the target in one
//! `rename` (an exchange on Linux, so the target never disappears). A
//! failure at any point leaves the previous output untouched; two builds
//! racing for one target each install a complete result, never a mix.

use super::Output;
use std::io;
use std::path::{Component, Path, PathBuf};

pub fn write_atomic(target: &Path, out: &Output) -> io::Result<()> {
    write_atomic_with(target, |dir| write_files(dir, &out.files))
}

/// Like [`write_atomic`]; `fill` writes the files into the new directory
/// (given its path, already made) before it is put in place. Its error (or
/// any other) leaves the previous output as it was.
pub fn write_atomic_with<T, E: From<io::Error>>(
    target: &Path,
    fill: impl FnOnce(&Path) -> Result<T, E>,
) -> Result<T, E> {
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let stamp = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    let tmp = parent.join(format!(".{name}.stackc-new-{stamp}"));
    // Builds into one target take turns installing (the kept files move
    // from the old output into the new one, which must not interleave).
    let lock = Lock::take(&parent.join(format!(".{name}.stackc.lock")));
    let result = std::fs::create_dir(&tmp)
        .map_err(E::from)
        .and_then(|()| fill(&tmp))
        .and_then(|v| {
            install(&tmp, target, &parent, &name, &stamp)?;
            Ok(v)
        });
    drop(lock);
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// An exclusive `flock` on a lock file beside the target, released on drop.
struct Lock(Option<std::fs::File>);

impl Lock {
    fn take(path: &Path) -> Lock {
        let Ok(file) = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
        else {
            return Lock(None);
        };
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            // SAFETY: a valid open file descriptor; flock blocks until granted.
            unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        }
        Lock(Some(file))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(f) = &self.0 {
            use std::os::unix::io::AsRawFd;
            // SAFETY: the descriptor is still open.
            unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_UN) };
        }
    }
}

/// Write files (path relative to `dir`, text) under the existing `dir`,
/// refusing paths that would leave it.
pub fn write_files<P: AsRef<str>, T: AsRef<[u8]>>(
    dir: &Path,
    files: impl IntoIterator<Item = (P, T)>,
) -> io::Result<()> {
    let mut made: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    made.insert(dir.to_path_buf());
    for (rel, text) in files {
        let rel = rel.as_ref();
        let rel_path = Path::new(rel);
        if rel_path
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to write `{rel}` outside the output directory"),
            ));
        }
        let path = dir.join(rel_path);
        // Each directory is made once: a `mkdir` costs as much as writing
        // a small file on some filesystems.
        if let Some(p) = path.parent() {
            if !made.contains(p) {
                std::fs::create_dir_all(p)?;
                made.insert(p.to_path_buf());
            }
        }
        std::fs::write(&path, text)?;
    }
    Ok(())
}

fn install(tmp: &Path, target: &Path, parent: &Path, name: &str, stamp: &str) -> io::Result<()> {
    match std::fs::symlink_metadata(target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => std::fs::rename(tmp, target),
        Err(e) => Err(e),
        Ok(meta) if !meta.is_dir() => Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("`{}` exists and is not a directory", target.display()),
        )),
        Ok(_) => {
            carry_over(target, tmp)?;
            if exchange(tmp, target).is_ok() {
                // `tmp` now holds the previous output.
                return std::fs::remove_dir_all(tmp);
            }
            let old = parent.join(format!(".{name}.stackc-old-{stamp}"));
            if let Err(e) = std::fs::rename(target, &old) {
                carry_over(tmp, target)?;
                return Err(e);
            }
            if let Err(e) = std::fs::rename(tmp, target) {
                let _ = std::fs::rename(&old, target);
                carry_over(tmp, target)?;
                return Err(e);
            }
            std::fs::remove_dir_all(&old)
        }
    }
}

/// What tools keep inside the output directory between builds: Terraform's
/// state, providers and lock file, Ansible's fact cache, a Kubespray clone.
/// stackc never writes these paths; they move into each new output.
pub const KEPT: &[&str] = &[
    "terraform/terraform.tfstate",
    "terraform/terraform.tfstate.backup",
    "terraform/.terraform",
    "terraform/.terraform.lock.hcl",
    "ansible/.ansible",
    "ansible/kubespray",
];

/// Move the kept paths that exist under `from` to the same place under `to`.
fn carry_over(from: &Path, to: &Path) -> io::Result<()> {
    for rel in KEPT {
        let src = from.join(rel);
        if std::fs::symlink_metadata(&src).is_ok() {
            let dst = to.join(rel);
            if let Some(p) = dst.parent() {
                std::fs::create_dir_all(p)?;
            }
            std::fs::rename(&src, &dst)?;
        }
    }
    Ok(())
}

/// Swap two paths in one step (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves them
    // relative to the working directory like `rename` does.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no atomic exchange",
    ))
}

/// The new or old directories a build left beside its target in `parent`
/// (there should be none once it has returned).
#[cfg(test)]
pub(crate) fn leftovers(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("stackc-"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(files: &[(&str, &str)]) -> Output {
        Output {
            files: files
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn replaces_a_previous_output_whole() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        write_atomic(&target, &output(&[("a/x.txt", "1"), ("stale.txt", "old")])).unwrap();
        write_atomic(&target, &output(&[("a/x.txt", "2")])).unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("a/x.txt")).unwrap(),
            "2"
        );
        assert!(!target.join("stale.txt").exists());
        let leftovers = leftovers(dir.path());
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn terraform_state_and_tool_caches_survive_a_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        write_atomic(&target, &output(&[("terraform/main.tf.json", "{}")])).unwrap();
        std::fs::write(target.join("terraform/terraform.tfstate"), "state").unwrap();
        std::fs::create_dir_all(target.join("terraform/.terraform/providers")).unwrap();
        std::fs::create_dir_all(target.join("ansible/kubespray")).unwrap();
        std::fs::write(target.join("ansible/kubespray/cluster.yml"), "k").unwrap();
        write_atomic(
            &target,
            &output(&[("terraform/main.tf.json", "{\"new\": 1}")]),
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("terraform/terraform.tfstate")).unwrap(),
            "state"
        );
        assert!(target.join("terraform/.terraform/providers").is_dir());
        assert_eq!(
            std::fs::read_to_string(target.join("ansible/kubespray/cluster.yml")).unwrap(),
            "k"
        );
        assert_eq!(
            std::fs::read_to_string(target.join("terraform/main.tf.json")).unwrap(),
            "{\"new\": 1}"
        );
    }

    #[test]
    fn concurrent_builds_leave_one_complete_output_and_keep_the_state() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        write_atomic(&target, &output(&[("terraform/main.tf.json", "0")])).unwrap();
        std::fs::write(target.join("terraform/terraform.tfstate"), "state").unwrap();
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let t = target.clone();
                std::thread::spawn(move || {
                    let files = (0..20)
                        .map(|f| (format!("f{f}.txt"), format!("{i}")))
                        .collect();
                    write_atomic(
                        &t,
                        &Output {
                            files,
                            ..Default::default()
                        },
                    )
                    .unwrap();
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        // One build's files, all of them, and the state still there.
        let first = std::fs::read_to_string(target.join("f0.txt")).unwrap();
        for f in 0..20 {
            assert_eq!(
                std::fs::read_to_string(target.join(format!("f{f}.txt"))).unwrap(),
                first
            );
        }
        assert_eq!(
            std::fs::read_to_string(target.join("terraform/terraform.tfstate")).unwrap(),
            "state"
        );
    }

    #[test]
    fn refuses_paths_outside_and_keeps_the_old_output() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        write_atomic(&target, &output(&[("x.txt", "keep")])).unwrap();
        let err = write_atomic(&target, &output(&[("../../etc/x", "bad")]));
        assert!(err.is_err());
        assert_eq!(
            std::fs::read_to_string(target.join("x.txt")).unwrap(),
            "keep"
        );
        assert!(!dir.path().join("etc").exists());
    }
}
