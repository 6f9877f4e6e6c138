//! Loading a stack: the root file, every file it imports (relative to the
//! importing file), and the embedded stdlib. Imports form a petgraph graph;
//! a cycle is an E0205 that shows its path.

use super::{canonical, Parsed};
use crate::diag::{codes, Diagnostic};
use crate::source::SourceMap;
use crate::span::{FileId, Span};
use crate::syntax::{self, ast::Item};
use petgraph::graphmap::DiGraphMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Largest source file accepted.
pub const MAX_FILE_BYTES: u64 = 128 * 1024 * 1024;
/// Longest chain of imports accepted.
pub const MAX_IMPORT_DEPTH: usize = 64;

/// The stdlib catalogs, embedded in the binary.
pub const STDLIB: &[(&str, &str)] = &[
    (
        "<stdlib>/images.stack",
        include_str!("../../stdlib/images.stack"),
    ),
    (
        "<stdlib>/addons.stack",
        include_str!("../../stdlib/addons.stack"),
    ),
    (
        "<stdlib>/compat.stack",
        include_str!("../../stdlib/compat.stack"),
    ),
];

/// Load and parse `root` and its imports from disk.
pub fn load(root: &Path, sources: &mut SourceMap) -> (Parsed, Vec<Diagnostic>) {
    load_with(root, None, sources)
}

/// Like [`load`], with the root file's text given (an editor's unsaved
/// buffer); its imports are still read from disk, relative to `root`.
pub fn load_with(
    root: &Path,
    text: Option<String>,
    sources: &mut SourceMap,
) -> (Parsed, Vec<Diagnostic>) {
    let mut loader = Loader::new(sources);
    let read = match text {
        Some(t) => Ok(t),
        None => loader.read(root, None),
    };
    match read {
        Ok(text) => {
            let display = root.to_string_lossy().into_owned();
            loader.add_file(root, display, text, 0);
        }
        Err(d) => {
            // No file to point at: the caller reports I/O failures on the root.
            loader.diags.push(*d);
            return (loader.parsed, loader.diags);
        }
    }
    loader.cycles();
    loader.add_stdlib();
    (loader.parsed, loader.diags)
}

/// Parse a stack held in memory (no imports are followed from it).
pub fn load_str(name: &str, text: &str, sources: &mut SourceMap) -> (Parsed, Vec<Diagnostic>) {
    let mut loader = Loader::new(sources);
    let id = loader.sources.add(name, text);
    let (ast, diags) = syntax::parse(text, id);
    loader.diags.extend(diags);
    loader.parsed.files.push(ast);
    loader.parsed.paths.push(Some(PathBuf::from(name)));
    loader.add_stdlib();
    (loader.parsed, loader.diags)
}

struct Loader<'a> {
    sources: &'a mut SourceMap,
    parsed: Parsed,
    diags: Vec<Diagnostic>,
    by_path: HashMap<PathBuf, FileId>,
    /// file → file it imports, weighted with the import statement's span.
    graph: DiGraphMap<u32, Span>,
    /// Where the file just read stopped being UTF-8, if it did.
    pending_utf8: Option<usize>,
}

impl<'a> Loader<'a> {
    fn new(sources: &'a mut SourceMap) -> Self {
        Loader {
            sources,
            parsed: Parsed::default(),
            diags: Vec::new(),
            by_path: HashMap::new(),
            graph: DiGraphMap::new(),
            pending_utf8: None,
        }
    }

    /// Read a file as UTF-8; a failure is an E0205 at `import_span` (or, for
    /// the root, a diagnostic without a useful span).
    fn read(&mut self, path: &Path, import_span: Option<Span>) -> Result<String, Box<Diagnostic>> {
        let fail = |msg: String, label: &str| {
            Box::new(
                Diagnostic::new(&codes::IMPORT, import_span.unwrap_or_default(), msg)
                    .label(label.to_string()),
            )
        };
        let meta = std::fs::metadata(path).map_err(|e| {
            fail(
                format!("cannot read `{}`: {e}", path.display()),
                "imported here",
            )
        })?;
        if meta.len() > MAX_FILE_BYTES {
            return Err(fail(
                format!(
                    "`{}` is larger than {} MiB",
                    path.display(),
                    MAX_FILE_BYTES >> 20
                ),
                "imported here",
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| {
            fail(
                format!("cannot read `{}`: {e}", path.display()),
                "imported here",
            )
        })?;
        Ok(match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                self.pending_utf8 = Some(at);
                text
            }
        })
    }

    fn add_file(&mut self, path: &Path, display: String, text: String, depth: usize) -> FileId {
        let utf8_error = self.pending_utf8.take();
        let id = self.sources.add(display.clone(), text);
        self.by_path.insert(canonical(path), id);
        self.graph.add_node(id.0);
        self.parsed.paths.push(Some(path.to_path_buf()));
        let text = &self.sources.get(id).text;
        let (ast, diags) = match utf8_error {
            Some(at) => {
                let d = Diagnostic::new(
                    &codes::SYNTAX,
                    Span::new(id, at, at + 1),
                    "this file is not valid UTF-8",
                )
                .label("invalid byte here")
                .help("save the file as UTF-8");
                (
                    syntax::ast::File {
                        file: id,
                        items: Vec::new(),
                        comments: Vec::new(),
                    },
                    vec![d],
                )
            }
            None => syntax::parse(text, id),
        };
        self.diags.extend(diags);
        let imports: Vec<(String, Span)> = ast
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Import(imp) => Some((String::from(imp.path.value.as_str()), imp.path.span)),
                Item::Block(_) => None,
            })
            .collect();
        self.parsed.files.push(ast);
        for (rel, span) in imports {
            self.import(path, &display, &rel, span, id, depth);
        }
        id
    }

    fn import(
        &mut self,
        from: &Path,
        from_display: &str,
        rel: &str,
        span: Span,
        from_id: FileId,
        depth: usize,
    ) {
        let base = from.parent().unwrap_or(Path::new("."));
        let path = PathBuf::from(tidy(&base.join(rel)));
        if let Some(&to) = self.by_path.get(&canonical(&path)) {
            self.graph.add_edge(from_id.0, to.0, span);
            return;
        }
        if depth + 1 > MAX_IMPORT_DEPTH {
            self.diags.push(
                Diagnostic::new(
                    &codes::IMPORT,
                    span,
                    format!("imports nested deeper than {MAX_IMPORT_DEPTH} files"),
                )
                .label("this import is one too deep"),
            );
            return;
        }
        match self.read(&path, Some(span)) {
            Ok(text) => {
                let display_base = Path::new(from_display).parent().unwrap_or(Path::new(""));
                let display = tidy(&display_base.join(rel));
                let to = self.add_file(&path, display, text, depth + 1);
                self.graph.add_edge(from_id.0, to.0, span);
            }
            Err(d) => self
                .diags
                .push(d.help("import paths are relative to the file that imports them")),
        }
    }

    /// Report every import cycle once, at the import that closes it.
    fn cycles(&mut self) {
        for scc in petgraph::algo::tarjan_scc(&self.graph) {
            let self_loop = scc.len() == 1 && self.graph.contains_edge(scc[0], scc[0]);
            if scc.len() < 2 && !self_loop {
                continue;
            }
            let path = crate::cycles::cycle_through(&self.graph, &scc);
            let names: Vec<String> = path
                .iter()
                .map(|f| format!("`{}`", self.sources.get(FileId(*f)).name))
                .collect();
            let (last, first) = (path[path.len() - 2], path[path.len() - 1]);
            let span = *self
                .graph
                .edge_weight(last, first)
                .unwrap_or(&Span::default());
            let mut d = Diagnostic::new(
                &codes::IMPORT,
                span,
                format!("import cycle: {}", names.join(" → ")),
            )
            .label("this import closes the cycle")
            .help("move what both files need into a third file that both import");
            for w in path.windows(2).take(path.len().saturating_sub(2)) {
                if let Some(s) = self.graph.edge_weight(w[0], w[1]) {
                    d = d.with_secondary(*s, "imported here");
                }
            }
            self.diags.push(d);
        }
    }

    fn add_stdlib(&mut self) {
        for (name, text) in STDLIB {
            let id = self.sources.add(*name, *text);
            let (ast, diags) = syntax::parse(text, id);
            self.diags.extend(diags);
            self.parsed.stdlib.push(ast);
            self.parsed.paths.push(None);
        }
    }
}

fn tidy(p: &Path) -> String {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some_and(|n| n != "..") => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.to_string_lossy().into_owned()
}
