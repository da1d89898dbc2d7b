#!/usr/bin/env bash
# Stops what infra/start.sh started. Usage: infra/stop.sh [rabbitmq|postgres|ethereum|all]
# A component that is not running is skipped. Only our own processes are touched: the RabbitMQ node
# by its node name, the PostgreSQL cluster by its data directory, Hardhat by its pid file.
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

stop_rabbitmq() {
  if ! rabbit_running; then
    log "rabbitmq: not running"
    return 0
  fi
  log "rabbitmq: stopping node $RABBIT_NODENAME"
  rabbit_env
  rabbitmqctl -q shutdown >/dev/null
  epmd -kill >/dev/null 2>&1 || true
  log "rabbitmq: stopped"
}

stop_postgres() {
  if ! pg_running; then
    log "postgres: not running"
    return 0
  fi
  log "postgres: stopping cluster $PG_DATA"
  run_as postgres "$NEXUS_PG_BIN/pg_ctl" -D "$PG_DATA" -w -t 60 stop -m fast >/dev/null
  log "postgres: stopped"
}

stop_ethereum() {
  local pid
  if ! pid="$(eth_pid)"; then
    log "ethereum: not running"
    rm -f "$ETH_PID_FILE"
    return 0
  fi
  log "ethereum: stopping hardhat node (pid $pid)"
  kill "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 15))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "ethereum: pid $pid did not exit after SIGTERM, sending SIGKILL"
      kill -9 "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rm -f "$ETH_PID_FILE"
  log "ethereum: stopped"
}

parse_components "${1:-all}"
# Stop in reverse start order.
for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
  "stop_${COMPONENTS[i]}"
done
