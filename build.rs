//! Rebuild when the embedded stdlib (catalogs, roles) or the book pages
//! behind `stackc explain` change: `include_dir!` cannot tell cargo itself.
fn main() {
    println!("cargo:rerun-if-changed=stdlib");
    println!("cargo:rerun-if-changed=book/src/checks");
}
