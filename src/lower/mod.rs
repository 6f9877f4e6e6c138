//! STAGE 2: AST → IR. Resolve names, expand counts, type literals, apply
//! defaults and profiles. Lowering reports names and types (E02xx); the
//! rules over the finished model are `check`'s.

mod addon;
mod cluster;
pub mod convert;
pub mod eval;
mod functions;
pub mod imports;
mod infra;
mod node;
pub mod profile;
pub mod reader;
mod services;
mod toplevel;

use crate::diag::{Allow, Diagnostic};
use crate::ir::value::Cidr;
use crate::ir::*;
use crate::span::FileId;
use crate::syntax::ast;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// Everything a stack is made of, parsed: the user's files (root first) and
/// the embedded stdlib.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub files: Vec<ast::File>,
    pub stdlib: Vec<ast::File>,
    /// The path on disk of each `FileId` (None for the stdlib).
    pub paths: Vec<Option<PathBuf>>,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub profile: Option<String>,
    /// Let `file()` read outside the root file's directory.
    pub allow_outside: bool,
}

/// Node names: one entry per expanded node, so hashed (the order of the
/// names is never observed; candidates for diagnostics are sorted), and
/// keyed by strings short names keep inline.
pub type NodeNames<T> = rustc_hash::FxHashMap<compact_str::CompactString, T>;

/// The names every reference is resolved against.
#[derive(Debug, Default)]
pub struct Names {
    pub networks: BTreeMap<String, NetworkId>,
    pub network_info: HashMap<String, (Cidr, Option<IpAddr>)>,
    pub hypervisors: BTreeMap<String, HypervisorId>,
    pub images: BTreeMap<String, ImageId>,
    pub charts: BTreeMap<String, ChartId>,
    /// Group names and expanded names alike.
    pub nodes: NodeNames<smallvec::SmallVec<[NodeId; 1]>>,
    /// Node references resolve only once nodes are expanded.
    pub nodes_known: bool,
}

/// The lowering context: names, collected findings, and what functions need.
pub struct Cx<'a> {
    diags: Vec<Diagnostic>,
    pub names: Names,
    pub secrets: BTreeSet<String>,
    /// `${n}` inside a counted node.
    pub index: Option<u32>,
    pub allows: Vec<Allow>,
    /// Credential-looking names given plain strings, for E0901.
    pub plain_credentials: Vec<crate::span::Spanned<String>>,
    paths: &'a [Option<PathBuf>],
    root_dir: Option<PathBuf>,
    allow_outside: bool,
}

impl<'a> Cx<'a> {
    fn new(paths: &'a [Option<PathBuf>], opts: &Options) -> Self {
        let root_dir = paths
            .first()
            .and_then(|p| p.as_ref())
            .and_then(|p| p.parent())
            .map(canonical);
        Cx {
            diags: Vec::new(),
            names: Names::default(),
            secrets: BTreeSet::new(),
            index: None,
            allows: Vec::new(),
            plain_credentials: Vec::new(),
            paths,
            root_dir,
            allow_outside: opts.allow_outside,
        }
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Run `f` discarding its findings: for look-ahead evaluation whose
    /// problems the real pass reports.
    pub fn quiet<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = std::mem::take(&mut self.diags);
        let saved_secrets = self.secrets.clone();
        let saved_plain = self.plain_credentials.len();
        let out = f(self);
        self.plain_credentials.truncate(saved_plain);
        self.diags = saved;
        self.secrets = saved_secrets;
        out
    }

    /// A path in `file()`, relative to the file containing the call, and
    /// inside the stack's directory unless `--allow-outside`.
    pub fn resolve_path(&self, file: FileId, rel: &str) -> Result<PathBuf, String> {
        let Some(Some(src)) = self.paths.get(file.0 as usize) else {
            return Err("the stdlib cannot read files".into());
        };
        let base = src.parent().unwrap_or(Path::new("."));
        let shown = base.join(rel);
        match &self.root_dir {
            Some(root) if !self.allow_outside && !canonical(&shown).starts_with(root) => {
                Err(format!(
                    "`{}` is outside the stack's directory (pass --allow-outside to permit it)",
                    shown.display()
                ))
            }
            _ => Ok(shown),
        }
    }
}

/// Absolute and normalised without requiring the path to exist.
pub fn canonical(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Lower a parsed stack into the IR.
pub fn lower(parsed: &Parsed, opts: &Options) -> (Ir, Vec<Diagnostic>) {
    let mut cx = Cx::new(&parsed.paths, opts);
    // Only a profile rewrites the AST; without one, lower it where it lies
    // (cloning a fleet's syntax tree cost a fifth of lowering).
    let mut files = std::borrow::Cow::Borrowed(parsed.files.as_slice());
    if opts.profile.is_some() {
        profile::apply(files.to_mut(), opts.profile.as_deref(), &mut cx);
    }
    let top = toplevel::collect(&files, &parsed.stdlib, &mut cx);
    let mut ir = Ir::default();
    infra::lower(&top, &mut ir, &mut cx);
    addon::lower_catalog(&top, &mut ir, &mut cx);
    node::lower(&top, &mut ir, &mut cx);
    cluster::lower(&top, &mut ir, &mut cx);
    addon::lower_enabled(&top, &mut ir, &mut cx);
    services::lower(&top, &mut ir, &mut cx);
    ir.secrets = std::mem::take(&mut cx.secrets);
    ir.allows = std::mem::take(&mut cx.allows);
    ir.plain_credentials = std::mem::take(&mut cx.plain_credentials);
    (ir, cx.diags)
}
