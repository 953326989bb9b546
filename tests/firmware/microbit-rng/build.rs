//! Links with this package's memory map (microbit.ld) and nothing else.
fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rerun-if-changed=microbit.ld");
    println!("cargo:rustc-link-arg=-T{dir}/microbit.ld");
    println!("cargo:rustc-link-arg=--nmagic");
}
