#!/usr/bin/env bash
# Common settings for the infra/ scripts. Source it; do not execute it.
#
# Everything the scripts start lives under $NEXUS_HOME (default: <repo>/.local, or /var/tmp/nexus-<hash>
# when the checkout is in a directory other users cannot enter):
#   $NEXUS_HOME/logs      log files (postgres.log, hardhat.log, rabbitmq/...)
#   $NEXUS_HOME/run       pid files
#   $NEXUS_HOME/pg        throw-away PostgreSQL cluster
#   $NEXUS_HOME/rabbitmq  RabbitMQ config, plugins file and Mnesia database
# Ports can be overridden with NEXUS_RABBITMQ_PORT, NEXUS_RABBITMQ_MGMT_PORT, NEXUS_PG_PORT,
# NEXUS_ETH_PORT. All services listen on 127.0.0.1 only.

# shellcheck disable=SC2034  # variables are used by the scripts that source this file

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The rabbitmq and postgres users must reach $NEXUS_HOME: a checkout under a private directory
# (e.g. /root) gets a folder under /var/tmp instead of <repo>/.local.
repo_reachable_by_others() {
  local d="$REPO"
  while [[ "$d" != "/" ]]; do
    (($((8#$(stat -c %a "$d") & 1)))) || return 1
    d="$(dirname "$d")"
  done
}
if [[ -z "${NEXUS_HOME:-}" ]]; then
  if repo_reachable_by_others; then
    NEXUS_HOME="$REPO/.local"
  else
    NEXUS_HOME="/var/tmp/nexus-$(printf '%s' "$REPO" | md5sum | cut -c1-8)"
  fi
fi
mkdir -p "$NEXUS_HOME"
NEXUS_HOME="$(cd "$NEXUS_HOME" && pwd)"
LOG_DIR="$NEXUS_HOME/logs"
RUN_DIR="$NEXUS_HOME/run"

NEXUS_RABBITMQ_PORT="${NEXUS_RABBITMQ_PORT:-5672}"
NEXUS_RABBITMQ_MGMT_PORT="${NEXUS_RABBITMQ_MGMT_PORT:-15672}"
NEXUS_PG_PORT="${NEXUS_PG_PORT:-5432}"
NEXUS_ETH_PORT="${NEXUS_ETH_PORT:-8545}"

# RabbitMQ
RABBIT_DIR="$NEXUS_HOME/rabbitmq"
RABBIT_LOG_DIR="$LOG_DIR/rabbitmq"
RABBIT_NODENAME="${NEXUS_RABBITMQ_NODENAME:-rabbit@localhost}"

# PostgreSQL (Debian layout; NEXUS_PG_BIN overrides)
if [[ -z "${NEXUS_PG_BIN:-}" ]]; then
  NEXUS_PG_BIN=/usr/lib/postgresql/15/bin
  if [[ ! -x "$NEXUS_PG_BIN/pg_ctl" ]]; then
    for d in /usr/lib/postgresql/*/bin; do
      [[ -x "$d/pg_ctl" ]] && NEXUS_PG_BIN="$d"
    done
  fi
fi
PG_DATA="$NEXUS_HOME/pg"
PG_LOG="$LOG_DIR/postgres.log"
PG_CONNECTION_STRING="Host=127.0.0.1;Port=$NEXUS_PG_PORT;Username=postgres;Password=postgres;Database=postgres"

# Ethereum dev node (Hardhat 2.x)
ETH_PID_FILE="$RUN_DIR/hardhat.pid"
ETH_LOG="$LOG_DIR/hardhat.log"
ETH_CONFIG="$REPO/infra/hardhat/hardhat.config.js"
ETH_CLI="$REPO/node_modules/hardhat/internal/cli/cli.js"
ETH_URL="http://127.0.0.1:$NEXUS_ETH_PORT"

mkdir -p "$LOG_DIR" "$RUN_DIR"

log() { printf '[nexus-infra] %s\n' "$*"; }
die() { printf '[nexus-infra] ERROR: %s\n' "$*" >&2; exit 1; }

# wait_for <desc> <timeout_s> <cmd...>
# Runs cmd (quietly) every 0.25 s until it succeeds or timeout_s elapses. On timeout prints a clear
# message; if WAIT_LOG is set (e.g. `WAIT_LOG=$PG_LOG wait_for ...`) it points at that log and
# shows its tail.
wait_for() {
  local desc="$1" timeout_s="$2"
  shift 2
  local deadline=$((SECONDS + timeout_s))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      printf '[nexus-infra] ERROR: timed out after %ss waiting for %s\n' "$timeout_s" "$desc" >&2
      if [[ -n "${WAIT_LOG:-}" ]]; then
        printf '[nexus-infra] see log: %s (last lines below)\n' "$WAIT_LOG" >&2
        tail -n 20 "$WAIT_LOG" >&2 2>/dev/null || true
      fi
      return 1
    fi
    sleep 0.25
  done
}

# Run a command as user $1 (root switches user; anyone else runs it as themselves).
run_as() {
  local user="$1"
  shift
  if [[ $EUID -eq 0 ]]; then
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

# Fails clearly if user $1 cannot write directory $2 (e.g. the repo lives under /root, mode 700).
require_writable_by() {
  local user="$1" dir="$2"
  if [[ $EUID -eq 0 ]] && ! runuser -u "$user" -- test -w "$dir"; then
    die "user '$user' cannot write $dir (a parent directory is probably not traversable); set NEXUS_HOME to a directory it can reach, e.g. NEXUS_HOME=/var/tmp/nexus"
  fi
}

# Environment for rabbitmq-server / rabbitmqctl / rabbitmq-diagnostics (all must see the same one).
rabbit_env() {
  export RABBITMQ_NODENAME="$RABBIT_NODENAME"
  export RABBITMQ_CONFIG_FILE="$RABBIT_DIR/rabbitmq.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_DIR/enabled_plugins"
  export RABBITMQ_MNESIA_BASE="$RABBIT_DIR/mnesia"
  export RABBITMQ_LOG_BASE="$RABBIT_LOG_DIR"
  export RABBITMQ_DIST_PORT="$((NEXUS_RABBITMQ_PORT + 20000))"
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

# Asks epmd first: the Erlang CLI tools start an epmd daemon as a side effect, so calling
# rabbitmq-diagnostics when no node is registered would leave a stray epmd behind.
rabbit_running() {
  rabbit_env
  epmd -names 2>/dev/null | grep -q "^name ${RABBIT_NODENAME%@*} at port " || return 1
  rabbitmq-diagnostics -q ping >/dev/null 2>&1
}

pg_running() {
  [[ -f "$PG_DATA/PG_VERSION" ]] && run_as postgres "$NEXUS_PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

# Prints the pid of the hardhat node we started, if it is still alive.
eth_pid() {
  [[ -f "$ETH_PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$ETH_PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  # Guard against pid reuse: the process must be our hardhat CLI.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "hardhat/internal/cli/cli.js node" || return 1
  echo "$pid"
}

eth_running() { eth_pid >/dev/null; }

eth_rpc_ready() {
  curl -sf -m 2 -H 'Content-Type: application/json' \
    -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$ETH_URL" | grep -q '"result"'
}

# Component selection shared by start/stop/status.
parse_components() {
  case "${1:-all}" in
    all) COMPONENTS=(postgres rabbitmq ethereum) ;;
    rabbitmq | postgres | ethereum) COMPONENTS=("$1") ;;
    *) die "unknown component '$1' (expected rabbitmq|postgres|ethereum|all)" ;;
  esac
}
