#!/usr/bin/env bash
# Builds the Nexus guest apps (Rust workspace in this folder) for wasm32-unknown-unknown, release,
# offline, with Debian's toolchain (/usr/bin/cargo, /usr/bin/rustc), and copies counter.wasm,
# orderbook.wasm and hostile.wasm into <outDir>. A destination is only rewritten when its content
# changes. Intermediate files go to apps/target/.
#
# Usage: apps/build.sh <outDir>      build the apps into <outDir>
#        apps/build.sh --test        run the host unit tests (nexus-sdk, orderbook engine)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cargo_bin=/usr/bin/cargo
rustc_bin=/usr/bin/rustc
apps=(counter orderbook hostile)

die() {
  echo "apps/build.sh: ERROR: $*" >&2
  exit 1
}

usage() {
  echo "usage: apps/build.sh <outDir> | --test" >&2
  exit 2
}

[[ $# -eq 1 ]] || usage
[[ -n "$1" ]] || usage

for tool in "$cargo_bin" "$rustc_bin"; do
  [[ -x "$tool" ]] || die "$tool not found: install the Debian packages rustc cargo libstd-rust-dev-wasm32 (apt-get install rustc cargo libstd-rust-dev-wasm32)"
done

# Always Debian's compiler, whatever rustup puts first in PATH.
export RUSTC="$rustc_bin"
export CARGO_TARGET_DIR="$here/target"
# rustc < 1.68 needs the unstable #[alloc_error_handler] in nexus-sdk (see sdk/build.rs); this lets
# that one crate use it, and no other.
export RUSTC_BOOTSTRAP=nexus_sdk
unset RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_ENCODED_RUSTFLAGS

if [[ "$1" == "--test" ]]; then
  cd "$here"
  "$cargo_bin" test --offline --locked -p nexus-sdk -p orderbook
  exit 0
fi
[[ "$1" != -* ]] || usage

libdir="$("$rustc_bin" --print target-libdir --target wasm32-unknown-unknown 2>/dev/null || true)"
if [[ -z "$libdir" || ! -d "$libdir" ]] || ! compgen -G "$libdir/libcore-*.rlib" >/dev/null; then
  die "no wasm32-unknown-unknown standard library for $rustc_bin: install libstd-rust-dev-wasm32"
fi

mkdir -p "$1"
out="$(cd "$1" && pwd)"

cd "$here"
"$cargo_bin" build --offline --locked --release --target wasm32-unknown-unknown \
  -p counter -p orderbook -p hostile

# With wabt installed, a cheap shape check (the runtime does the real one at deploy): imports only
# from nexus_v1 (an unresolved C symbol would show up as an `env` import), no start function.
check_shape() {
  command -v wasm-objdump >/dev/null 2>&1 || return 0
  local dump
  dump="$(wasm-objdump -x "$1")" || die "wasm-objdump cannot read $1"
  if grep -E '^ - func\[[0-9]+\] .*<- ' <<<"$dump" | grep -v -- '<- nexus_v1\.' >&2; then
    die "$1 imports something other than nexus_v1.* (above)"
  fi
  if grep -q '^Start:' <<<"$dump"; then
    die "$1 declares a start function"
  fi
}

written=0
unchanged=0
for app in "${apps[@]}"; do
  src="$here/target/wasm32-unknown-unknown/release/$app.wasm"
  [[ -f "$src" ]] || die "cargo did not produce $src"
  check_shape "$src"
  dst="$out/$app.wasm"
  if [[ -f "$dst" ]] && cmp -s "$src" "$dst"; then
    unchanged=$((unchanged + 1))
    continue
  fi
  cp "$src" "$dst.tmp.$$"
  mv -f "$dst.tmp.$$" "$dst"
  written=$((written + 1))
done
echo "apps/build.sh: $($rustc_bin --version): ${#apps[@]} app(s) -> $out ($written written, $unchanged unchanged)"
