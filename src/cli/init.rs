//! `stackc init [DIR]`: a commented starter `homelab.stack` that passes
//! `check` and `build` as written. Never overwrites a file.

use super::{FAILURE, OK};
use std::path::Path;

/// The starter, from the stdlib (kept compiling by the tests).
pub const STARTER: &str = include_str!("../../stdlib/starter.stack");

pub fn run(dir: &Path) -> i32 {
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot create `{}`: {e}", dir.display());
        return FAILURE;
    }
    let path = dir.join("homelab.stack");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    match file.and_then(|mut f| std::io::Write::write_all(&mut f, STARTER.as_bytes())) {
        Ok(()) => {
            eprintln!(
                "wrote {}\nnext: stackc check {}",
                path.display(),
                path.display()
            );
            OK
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!(
                "error: `{}` exists; stackc init never overwrites a file",
                path.display()
            );
            FAILURE
        }
        Err(e) => {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            FAILURE
        }
    }
}
