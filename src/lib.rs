//! `stackc`: a compiler from `.stack` homelab descriptions to Terraform JSON
//! and an Ansible project.
//!
//! ```text
//!  .stack text ──parse──▶ AST ──lower──▶ IR ──check──▶ IR + findings ──emit──▶ files
//!   (syntax/)             (lower/)   (ir/)   (check/)                 (backend/)
//! ```
//!
//! One public function per arrow: [`parse`], [`lower()`], [`check()`],
//! [`emit_terraform`]; [`compile`] chains the first three, [`emit`] runs
//! the backends in memory and [`build`] onto disk. Diagnostics are plain
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

/// Every file of a compilation without errors, in memory.
pub fn emit(c: &Compilation, only: Only) -> Result<backend::Output, Vec<Diagnostic>> {
    let ir = checked(c)?;
    let mut out = backend::Output::default();
    if only != Only::Ansible {
        let doc = backend::terraform::prepare(ir, &c.sources)?;
        out.resources = doc.counts();
        out.files
            .insert(backend::terraform::PATH.into(), doc.text());
    }
    if only != Only::Terraform {
        for (path, text) in emit_ansible(ir) {
            out.files.insert(format!("ansible/{path}"), text);
        }
    }
    Ok(out)
}

/// `stackc build`: emit and put the output in place at `target`
/// atomically (see [`backend::build`]: the backends run side by side, and
/// `main.tf.json`, tens of megabytes for a fleet, is streamed to disk).
pub fn build(
    c: &Compilation,
    only: Only,
    target: &Path,
) -> Result<backend::build::Built, backend::build::BuildError> {
    let ir = checked(c).map_err(backend::build::BuildError::Input)?;
    backend::build::build(ir, &c.sources, only, target)
}

/// The IR of a compilation without errors, or its diagnostics.
fn checked(c: &Compilation) -> Result<&Ir, Vec<Diagnostic>> {
    c.ir.as_ref()
        .filter(|_| !c.has_errors())
        .ok_or_else(|| c.diagnostics.clone())
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
