//! The `stackc` binary: parse arguments, run, map the outcome to an exit
//! status (0 success, 1 the input has errors, 2 usage or I/O failure).

use clap::Parser;

// A compiler allocates many small, short-lived objects (names, spans, AST
// nodes); mimalloc serves them markedly faster than glibc's malloc (see the
// book's architecture page for the measurement).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // Like other command-line tools, end quietly when the reader of stdout
    // goes away (`stackc explain E0302 | head -3`): Rust ignores SIGPIPE,
    // which turns every later `print!` into a panic.
    // SAFETY: called before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = stackc::cli::Cli::parse();
    std::process::ExitCode::from(stackc::cli::run(cli) as u8)
}
