#!/usr/bin/env bash
# One line per local service: running/stopped and its address. Usage: infra/status.sh [component|all]
# Exit status: 0 if every selected component is running, 1 otherwise.
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rc=0
line() { printf '%-9s %-8s %s\n' "$1" "$2" "$3"; }

parse_components "${1:-all}"
for c in "${COMPONENTS[@]}"; do
  case "$c" in
    rabbitmq)
      addr="amqp 127.0.0.1:$NEXUS_RABBITMQ_PORT, management http://127.0.0.1:$NEXUS_RABBITMQ_MGMT_PORT (node $RABBIT_NODENAME)"
      if rabbit_running; then line rabbitmq running "$addr"; else line rabbitmq stopped "$addr"; rc=1; fi
      ;;
    postgres)
      addr="127.0.0.1:$NEXUS_PG_PORT (cluster $PG_DATA)"
      if pg_running; then line postgres running "$addr"; else line postgres stopped "$addr"; rc=1; fi
      ;;
    ethereum)
      if pid="$(eth_pid)"; then
        line ethereum running "$ETH_URL (pid $pid, chain id 31337)"
      else
        line ethereum stopped "$ETH_URL"
        rc=1
      fi
      ;;
  esac
done
exit "$rc"
