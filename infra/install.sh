#!/usr/bin/env bash
# Installs what the local services need, only where missing:
#   apt: rabbitmq-server, postgresql (15 on Debian 12), curl, rustc + cargo + libstd-rust-dev-wasm32
#        (guest apps); with --with-compose also docker-compose
#   npm: `npm ci` at the repo root when node_modules is missing or older than package-lock.json
# Usage: infra/install.sh [--with-compose]
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

with_compose=false
for arg in "$@"; do
  case "$arg" in
    --with-compose) with_compose=true ;;
    -h | --help)
      sed -n '2,6p' "$0"
      exit 0
      ;;
    *) die "unknown option '$arg'" ;;
  esac
done

pkgs=()
if command -v rabbitmq-server >/dev/null 2>&1 || [[ -x /usr/sbin/rabbitmq-server ]]; then
  log "rabbitmq-server: already installed"
else
  pkgs+=(rabbitmq-server)
fi
if [[ -x "$NEXUS_PG_BIN/pg_ctl" ]] && dpkg -s postgresql >/dev/null 2>&1; then
  log "postgresql: already installed ($NEXUS_PG_BIN)"
elif [[ -x "$NEXUS_PG_BIN/pg_ctl" ]]; then
  log "postgresql: server binaries present ($NEXUS_PG_BIN)"
else
  pkgs+=(postgresql)
fi
if command -v curl >/dev/null 2>&1; then
  log "curl: already installed"
else
  pkgs+=(curl)
fi
# GNU time: the prover benchmark reads the peak memory of the provers it runs.
if [[ -x /usr/bin/time ]]; then
  log "time: already installed"
else
  pkgs+=(time)
fi

# Guest apps (apps/) are built with Debian's Rust 1.63 for wasm32-unknown-unknown; crates.io is not needed.
if [[ -x /usr/bin/cargo && -x /usr/bin/rustc ]] && dpkg -s libstd-rust-dev-wasm32 >/dev/null 2>&1; then
  log "rustc/cargo (wasm32): already installed"
else
  pkgs+=(rustc cargo libstd-rust-dev-wasm32)
fi

compose_pkgs=()
if $with_compose; then
  if command -v docker-compose >/dev/null 2>&1; then
    log "docker-compose: already installed"
  else
    compose_pkgs+=(docker-compose)
  fi
fi

if ((${#pkgs[@]} + ${#compose_pkgs[@]} > 0)); then
  [[ $EUID -eq 0 ]] || die "must run as root to install: ${pkgs[*]} ${compose_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  log "apt-get update"
  apt-get update -q
  if ((${#pkgs[@]} > 0)); then
    log "apt-get install ${pkgs[*]}"
    apt-get install -y -q "${pkgs[@]}"
  fi
  if ((${#compose_pkgs[@]} > 0)); then
    log "apt-get install --no-install-recommends ${compose_pkgs[*]}"
    apt-get install -y -q --no-install-recommends "${compose_pkgs[@]}"
  fi
fi

# Re-resolve the PostgreSQL binaries in case they were just installed.
if [[ ! -x "$NEXUS_PG_BIN/pg_ctl" ]]; then
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x "$d/pg_ctl" ]] && NEXUS_PG_BIN="$d"
  done
fi
[[ -x "$NEXUS_PG_BIN/pg_ctl" ]] || die "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin"

command -v node >/dev/null 2>&1 || die "node (20.x) is required for the Hardhat dev node and solc-js"
command -v npm >/dev/null 2>&1 || die "npm is required"
stamp="$REPO/node_modules/.package-lock.json"
if [[ ! -f "$stamp" || "$stamp" -ot "$REPO/package-lock.json" ]]; then
  log "npm ci (repo root)"
  (cd "$REPO" && npm ci --no-audit --no-fund)
else
  log "node_modules: up to date with package-lock.json"
fi
log "install: done"
