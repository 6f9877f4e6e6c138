//! The command line: one module per subcommand.

mod build;
mod check;
mod completions;
mod debug;
mod explain;
mod fmt;
mod graph;
mod init;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// stackc: compile a `.stack` homelab description into Terraform and Ansible.
#[derive(Debug, Parser)]
#[command(name = "stackc", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile a stack into Terraform (and, with its backend, Ansible) output.
    Build(BuildArgs),
    /// Check a stack and report every finding.
    Check(CheckArgs),
    /// Draw the stack: its topology, or the order of site.yml.
    Graph(GraphArgs),
    /// Print the long explanation of a diagnostic code (`E0303`) or slug.
    Explain {
        /// A code such as E0303, or a slug such as duplicate-address.
        code: String,
    },
    /// Format files in the canonical layout (comments kept).
    Fmt {
        /// Files to format in place.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Do not write; exit 1 if any file is not formatted.
        #[arg(long)]
        check: bool,
    },
    /// Write a commented starter `homelab.stack` into DIR (default: here).
    Init {
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) generated from these definitions.
    Man,
    /// Run the Language Server (LSP over stdio) for editors.
    Lsp,
    /// Dump a stage's data structure as YAML, for bug reports and snapshots.
    Debug {
        #[arg(value_enum)]
        stage: DebugStage,
        file: PathBuf,
        #[arg(long)]
        profile: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The root `.stack` file.
    pub file: PathBuf,
    /// The output directory, replaced as a whole.
    #[arg(short, long, default_value = "out")]
    pub output: PathBuf,
    /// Apply the overlays of `profile "NAME"`.
    #[arg(long)]
    pub profile: Option<String>,
    /// Write only one backend's files.
    #[arg(long, value_enum)]
    pub only: Option<OnlyArg>,
    /// Treat warnings as errors.
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
    /// Let `file()` read outside the stack's directory.
    #[arg(long)]
    pub allow_outside: bool,
    /// Colour the diagnostics: auto (on a terminal), always or never.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// How to report what was written: a human summary, or JSON on stdout.
    #[arg(long, value_enum, default_value_t = BuildFormat::Human)]
    pub format: BuildFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BuildFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnlyArg {
    Terraform,
    Ansible,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// The root `.stack` file.
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
    /// What to draw.
    #[arg(long, value_enum, default_value_t = GraphView::Topology)]
    pub view: GraphView,
    /// Write to this file instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Apply the overlays of `profile "NAME"`.
    #[arg(long)]
    pub profile: Option<String>,
    /// Let `file()` read outside the stack's directory.
    #[arg(long)]
    pub allow_outside: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Svg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphView {
    Topology,
    Order,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The root `.stack` file.
    pub file: PathBuf,
    /// Output format of the diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Treat warnings as errors (`--deny warnings`).
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
    /// Apply the overlays of `profile "NAME"`.
    #[arg(long)]
    pub profile: Option<String>,
    /// Let `file()` read outside the stack's directory.
    #[arg(long)]
    pub allow_outside: bool,
    /// Colour the human output: auto (on a terminal), always or never.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    Warnings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

impl Color {
    /// Whether diagnostics on stderr get colours.
    pub fn enabled(self) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => std::io::IsTerminal::is_terminal(&std::io::stderr()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DebugStage {
    Ast,
    Ir,
}

/// Exit statuses.
pub const OK: i32 = 0;
pub const INPUT_ERRORS: i32 = 1;
pub const FAILURE: i32 = 2;

pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Build(args) => build::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Graph(args) => graph::run(&args),
        Command::Init { dir } => init::run(&dir),
        Command::Completions { shell } => completions::completions(shell),
        Command::Man => completions::man(),
        Command::Lsp => crate::lsp::run(),
        Command::Explain { code } => explain::run(&code),
        Command::Fmt { files, check } => fmt::run(&files, check),
        Command::Debug {
            stage,
            file,
            profile,
        } => debug::run(stage, &file, profile),
    }
}

/// The root file must exist: a missing one is a usage error (exit 2), not a
/// finding in the input.
fn require_file(path: &std::path::Path) -> Result<(), i32> {
    if path.is_file() {
        return Ok(());
    }
    eprintln!("error: cannot read `{}`: no such file", path.display());
    Err(FAILURE)
}

/// The common start of `check`, `build` and `graph`: the file must exist,
/// then compile it with the profile, `--allow-outside` and `--deny warnings`.
fn compile_file(
    file: &std::path::Path,
    profile: &Option<String>,
    allow_outside: bool,
    deny: bool,
) -> Result<crate::Compilation, i32> {
    require_file(file)?;
    let opts = crate::lower::Options {
        profile: profile.clone(),
        allow_outside,
    };
    Ok(crate::compile(file, &opts, deny))
}
