//! The `stackc` binary: parse arguments, run, map the outcome to an exit
//! status (0 success, 1 the input has errors, 2 usage or I/O failure).

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = stackc::cli::Cli::parse();
    std::process::ExitCode::from(stackc::cli::run(cli) as u8)
}
