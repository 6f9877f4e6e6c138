//! STAGE 4: IR → files. Each backend is a pure function from the checked IR
//! to file contents; `write` puts a whole output directory in place at once.

pub mod ansible;
pub mod build;
pub mod escape;
pub mod json;
pub mod terraform;
pub mod write;

use std::collections::BTreeMap;

/// The files of a build, by path relative to the output directory.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    pub files: BTreeMap<String, String>,
    /// Terraform resources per provider (for the build summary).
    pub resources: BTreeMap<String, usize>,
}
