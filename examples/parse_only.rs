//! The parse-only baseline for benchmarks: reads every workflow file of the
//! given repositories and runs the same YAML parser over it, with the same
//! options and the same parallelism as tplint, doing nothing else.
//!
//! Usage: `cargo run --release --example parse_only -- REPO...`

use granit_parser::Parser;
use rayon::prelude::*;
use tplint::discover::workflow_files;

/// The allocator of the tplint binary, so the baseline differs from it
/// only by what tplint does after parsing.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let roots: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    let files: Vec<std::path::PathBuf> = roots.iter().flat_map(|r| workflow_files(r)).collect();
    let events: usize = files
        .par_iter()
        .map(|path| {
            let Ok(text) = std::fs::read_to_string(path) else {
                return 0;
            };
            Parser::new_from_str(&text)
                .take_while(Result::is_ok)
                .count()
        })
        .sum();
    println!("{} files, {events} events", files.len());
}
