//! `stackc explain CODE`: the book's page for a code.

use super::{FAILURE, OK};
use crate::diag::{codes, did_you_mean};

pub fn run(key: &str) -> i32 {
    match codes::lookup(key) {
        Some(c) => {
            print!("{}", c.page);
            OK
        }
        None => {
            let all = codes::ALL.iter().flat_map(|c| [c.code, c.slug]);
            let hint = did_you_mean(&key.to_ascii_uppercase(), all)
                .unwrap_or_else(|| "codes look like E0303".into());
            eprintln!("error: no diagnostic `{key}`; {hint}");
            FAILURE
        }
    }
}
