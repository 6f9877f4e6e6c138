//! `stackc completions SHELL` and `stackc man`: generated from the clap
//! definition, so they never drift from the real flags.

use super::{Cli, FAILURE, OK};
use clap::CommandFactory;

pub fn completions(shell: clap_complete::Shell) -> i32 {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "stackc", &mut std::io::stdout());
    OK
}

pub fn man() -> i32 {
    let cmd = Cli::command();
    match clap_mangen::Man::new(cmd).render(&mut std::io::stdout()) {
        Ok(()) => OK,
        Err(e) => {
            eprintln!("error: {e}");
            FAILURE
        }
    }
}
