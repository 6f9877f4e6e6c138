//! `stackc`: a compiler from `.stack` homelab descriptions to Terraform JSON
//! and an Ansible project.
//!
//! ```text
//!  .stack text ──parse──▶ AST ──lower──▶ IR ──check──▶ IR + findings ──emit──▶ files
//!   (syntax/)             (lower/)   (ir/)   (check/)                 (backend/)
//! ```
//!
//! One public function per arrow: [`parse`], [`lower()`], [`check()`],
//! [`emit_terraform`]; [`compile`] chains the first three and [`emit`] runs
//! the backends. Diagnostics are plain
//! data ([`diag::Diagnostic`]) collected by one [`diag::Sink`].

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod backend;
pub mod check;
pub mod cli;
pub mod cycles;
pub mod diag;
pub mod fmt;
pub mod graph;
pub mod ir;
pub mod lower;
pub mod lsp;
pub mod source;
pub mod span;
pub mod syntax;

use diag::{Diagnostic, Sink};
use ir::Ir;
use lower::{Options, Parsed};
use source::SourceMap;
use std::path::Path;

/// STAGE 1: read `root` and its imports and parse them (plus the stdlib).
pub fn parse(root: &Path, sources: &mut SourceMap) -> (Parsed, Vec<Diagnostic>) {
    lower::imports::load(root, sources)
}

/// STAGE 1, from memory: parse one stack held in a string.
pub fn parse_str(name: &str, text: &str, sources: &mut SourceMap) -> (Parsed, Vec<Diagnostic>) {
    lower::imports::load_str(name, text, sources)
}

/// STAGE 2: resolve, expand and type the parsed stack.
pub fn lower(parsed: &Parsed, opts: &Options) -> (Ir, Vec<Diagnostic>) {
    lower::lower(parsed, opts)
}

/// STAGE 3: run every check over the IR.
pub fn check(ir: &Ir, sink: &mut Sink) {
    check::run_all(ir, sink)
}

/// STAGE 4: the Terraform JSON of a checked IR.
pub fn emit_terraform(ir: &Ir, sources: &SourceMap) -> Result<String, Vec<Diagnostic>> {
    backend::terraform::emit(ir, sources)
}

/// STAGE 4: the Ansible project of a checked IR, by path under `ansible/`.
pub fn emit_ansible(ir: &Ir) -> std::collections::BTreeMap<String, String> {
    backend::ansible::emit(ir)
}

/// Which backends `build` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Only {
    All,
    Terraform,
    Ansible,
}

/// Every output file of a compilation without errors.
pub fn emit(c: &Compilation, only: Only) -> Result<backend::Output, Vec<Diagnostic>> {
    let (mut out, doc) = emit_streamed(c, only)?;
    if let Some(doc) = doc {
        out.files
            .insert(backend::terraform::PATH.into(), doc.text());
    }
    Ok(out)
}

/// Like [`emit`], for writing to disk: the Ansible files, and the Terraform
/// document resolved but not yet written, so `build` can stream it into its
/// file (a fleet's `main.tf.json` is tens of megabytes).
pub fn emit_streamed(
    c: &Compilation,
    only: Only,
) -> Result<(backend::Output, Option<backend::terraform::Document<'_>>), Vec<Diagnostic>> {
    let Some(ir) = c.ir.as_ref().filter(|_| !c.has_errors()) else {
        return Err(c.diagnostics.clone());
    };
    let mut out = backend::Output::default();
    let mut doc = None;
    if matches!(only, Only::All | Only::Terraform) {
        let d = backend::terraform::prepare(ir, &c.sources)?;
        out.resources = d.counts();
        doc = Some(d);
    }
    if matches!(only, Only::All | Only::Ansible) {
        for (path, text) in emit_ansible(ir) {
            out.files.insert(format!("ansible/{path}"), text);
        }
    }
    Ok((out, doc))
}

/// Put a build in place at `target` (atomically, see [`backend::write`]):
/// the files of `out`, and `main.tf.json` streamed from `doc` into the new
/// directory. Returns the size of `main.tf.json` when there is one.
pub fn write_build(
    target: &Path,
    out: &backend::Output,
    doc: Option<&backend::terraform::Document<'_>>,
) -> std::io::Result<Option<u64>> {
    let mut tf_bytes = None;
    backend::write::write_atomic_with(target, out, |dir| {
        let Some(doc) = doc else { return Ok(()) };
        let path = dir.join(backend::terraform::PATH);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        tf_bytes = Some(doc.write(&mut std::fs::File::create(path)?)?);
        Ok(())
    })?;
    Ok(tf_bytes)
}

/// The result of compiling a stack: its sources, the IR when lowering
/// succeeded, and every finding (sorted, deduplicated, `allow`s applied).
pub struct Compilation {
    pub sources: SourceMap,
    pub ir: Option<Ir>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Compilation {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// parse → lower → check. Stops after a stage whose errors would make the
/// next one report noise (a syntax error hides that file's blocks).
pub fn compile(root: &Path, opts: &Options, deny_warnings: bool) -> Compilation {
    let mut sources = SourceMap::new();
    let (parsed, diags) = parse(root, &mut sources);
    finish(sources, parsed, diags, opts, deny_warnings)
}

/// Like [`compile`], with the root file's text given (an editor buffer);
/// imports are read from disk relative to `root`.
pub fn compile_buffer(
    root: &Path,
    text: String,
    opts: &Options,
    deny_warnings: bool,
) -> Compilation {
    let mut sources = SourceMap::new();
    let (parsed, diags) = lower::imports::load_with(root, Some(text), &mut sources);
    finish(sources, parsed, diags, opts, deny_warnings)
}

/// Like [`compile`], for a stack held in memory (editors, tests).
pub fn compile_str(name: &str, text: &str, opts: &Options, deny_warnings: bool) -> Compilation {
    let mut sources = SourceMap::new();
    let (parsed, diags) = parse_str(name, text, &mut sources);
    finish(sources, parsed, diags, opts, deny_warnings)
}

fn finish(
    sources: SourceMap,
    parsed: Parsed,
    diags: Vec<Diagnostic>,
    opts: &Options,
    deny: bool,
) -> Compilation {
    let mut sink = Sink::new();
    let fatal = diags
        .iter()
        .any(|d| matches!(d.code.code, "E0101" | "E0205"));
    sink.extend(diags);
    if fatal {
        return Compilation {
            sources,
            ir: None,
            diagnostics: sink.finish(&[], deny),
        };
    }
    let (ir, diags) = lower(&parsed, opts);
    // The syntax tree is not needed past lowering; free it before the checks
    // and backends allocate theirs.
    drop(parsed);
    let lowered_ok = !diags.iter().any(Diagnostic::is_error);
    sink.extend(diags);
    if lowered_ok && !sink.has_errors() {
        check(&ir, &mut sink);
    }
    let diagnostics = sink.finish(&ir.allows, deny);
    Compilation {
        sources,
        ir: Some(ir),
        diagnostics,
    }
}
