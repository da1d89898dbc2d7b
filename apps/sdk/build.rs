// Build script of nexus-sdk (no dependencies).
//
// A `no_std` crate that uses `alloc` needs an allocation-error handler. Rust >= 1.68 provides a
// default one; older compilers (Debian's rustc 1.63, which build.sh uses) require an
// `#[alloc_error_handler]` function, and that attribute is unstable there. So, for wasm32 builds with
// rustc < 1.68, this script emits `--cfg nexus_alloc_error_handler`, which turns on
// `#![feature(alloc_error_handler)]` and the handler in src/rt.rs.
//
// Unstable features on a stable compiler need RUSTC_BOOTSTRAP. A build script cannot provide it:
// cargo rejects `cargo:rustc-env=RUSTC_BOOTSTRAP=1` from a build script (a hard error on stable
// cargo, and only a warning when the caller had set the variable anyway). So the caller sets it,
// scoped to this crate only: `RUSTC_BOOTSTRAP=nexus_sdk` (rustc then accepts `#![feature]` in
// nexus_sdk and nowhere else; the apps stay on stable Rust). build.sh does that. When it is missing,
// this script says so in a warning rather than leaving only rustc's bare feature error.
use std::env;
use std::process::Command;

fn rustc_minor(rustc: &str) -> Option<u32> {
    let out = Command::new(rustc).arg("--version").output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    // "rustc 1.63.0 (4b91a6ea7 2022-08-08)" or "rustc 1.80.0-nightly (...)"
    let version = text.split_whitespace().nth(1)?;
    let mut parts = version.split('.');
    if parts.next()? != "1" {
        return None;
    }
    parts.next()?.parse().ok()
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RUSTC");
    println!("cargo:rerun-if-env-changed=RUSTC_BOOTSTRAP");

    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let wasm = env::var("CARGO_CFG_TARGET_ARCH").map(|a| a == "wasm32").unwrap_or(false);
    let minor = rustc_minor(&rustc);
    if matches!(minor, Some(m) if m >= 80) {
        // Declares the cfg to the check-cfg lint (stable in 1.80; older cargo warns about the line).
        println!("cargo:rustc-check-cfg=cfg(nexus_alloc_error_handler)");
    }
    // Unknown version: assume a modern compiler (no unstable feature needed).
    let needs_handler = wasm && matches!(minor, Some(m) if m < 68);
    if !needs_handler {
        return;
    }
    println!("cargo:rustc-cfg=nexus_alloc_error_handler");
    let bootstrap = env::var("RUSTC_BOOTSTRAP").unwrap_or_default();
    let allowed = bootstrap == "1" || bootstrap.split(',').any(|c| c == "nexus_sdk");
    if !allowed {
        println!(
            "cargo:warning=rustc 1.{} needs #[alloc_error_handler] (unstable before 1.68): \
             run cargo with RUSTC_BOOTSTRAP=nexus_sdk (apps/build.sh does)",
            minor.unwrap_or(0)
        );
    }
}
