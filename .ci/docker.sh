#!/usr/bin/env bash
# CI for compose mode, called from .ci/run after `pnpm install`. Works on a
# machine where Docker was never installed and no image registry is reachable:
#
#   1. Docker engine: when none answers, install docker.io and docker-compose
#      from Debian (if missing) and start dockerd in the background.
#   2. Images: bundle the services and build every target on a local Node
#      base made from this machine's node (scripts/build-images.sh).
#   3. The default topology (docker-compose.yml + the ports overlay): up, wait
#      until every container is healthy, then from the host one curl through
#      an edge (MISS, then HIT) and one dig against the DNS service, the
#      memory of the whole cluster, faults through the Engine API
#      (packages/launcher/test/compose-docker.test.ts), down.
#   4. Scenarios inside the compose network, through the cli service, with
#      --quick: thundering-herd, edge-failover and network-partition (which
#      runs after edge-failover left an edge dead, so it must start it again;
#      in compose its regional really leaves the network).
#   5. Tear down; stop the engine if this script started it.
#
# Exits non-zero on any failure; prints the time of each step at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

PROJECT="${CDNLAB_COMPOSE_PROJECT:-cdnlab-ci}"
HEALTH_TIMEOUT="${CDNLAB_HEALTH_TIMEOUT:-240}"
WORK="$(mktemp -d)"
STARTED_DOCKERD=""
COMPOSE=()
TIMINGS=()

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
step() { printf '\n==> docker: %s\n' "$*"; }
T_ALL=$(now)
T_STEP=$(now)
STEP_NAME=""
begin() { STEP_NAME="$1"; T_STEP=$(now); step "$1"; }
end() { TIMINGS+=("$(printf '%-44s %7ss' "$STEP_NAME" "$(since "$T_STEP")")"); }
fail() { echo "docker: FAILED: $*" >&2; exit 1; }

compose() { "${COMPOSE[@]}" -p "$PROJECT" -f docker-compose.yml -f docker-compose.ports.yml "$@"; }

cleanup() {
  local rc=$?
  set +e
  if [ ${#COMPOSE[@]} -gt 0 ] && docker info >/dev/null 2>&1; then
    if [ $rc -ne 0 ]; then
      echo "--- container states and the last log lines (failure) ---"
      compose ps 2>/dev/null
      compose logs --tail 20 2>/dev/null | tail -n 120
    fi
    compose down -v --remove-orphans >/dev/null 2>&1
  fi
  if [ -n "$STARTED_DOCKERD" ]; then
    kill "$STARTED_DOCKERD" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$STARTED_DOCKERD" 2>/dev/null || break; sleep 1; done
    echo "docker: stopped the engine this script started (pid $STARTED_DOCKERD)"
  fi
  rm -rf "$WORK"
  echo
  echo "docker: timings"
  for t in "${TIMINGS[@]}"; do echo "  $t"; done
  echo "  $(printf '%-44s %7ss' total "$(since "$T_ALL")")"
  [ $rc -eq 0 ] && echo "docker: all compose checks passed" || echo "docker: compose checks FAILED (exit $rc)"
  exit $rc
}
trap cleanup EXIT

# ---- 1. engine -------------------------------------------------------------
begin "engine"
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
command -v dig >/dev/null 2>&1 || need+=(dnsutils)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing from Debian: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! docker info >/dev/null 2>&1; then
  command -v dockerd >/dev/null 2>&1 || fail "dockerd is not installed"
  dockerd >"$WORK/dockerd.log" 2>&1 &
  STARTED_DOCKERD=$!
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { tail -20 "$WORK/dockerd.log" >&2; fail "dockerd did not answer within 60 s"; }
  echo "started dockerd (pid $STARTED_DOCKERD)"
fi
if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi
echo "engine $(docker version -f '{{.Server.Version}}'), compose: ${COMPOSE[*]} ($("${COMPOSE[@]}" version --short 2>/dev/null || "${COMPOSE[@]}" version | head -1))"
# docker-compose 1.x warns once per service about deploy.endpoint_mode (a swarm-only key); the noise hides real errors.
quiet() { grep -v -e 'deploy sub-keys are not supported' || true; }
end

# ---- 2. images ---------------------------------------------------------------
begin "images (bundle + local base + 7 targets)"
scripts/build-images.sh
pnpm exec tsx scripts/gen-compose.ts --check || fail "docker-compose.yml is stale: run pnpm exec tsx scripts/gen-compose.ts"
end

# Waits until every node container of the project is healthy; fails on an exit, an unhealthy node or the timeout.
wait_healthy() {
  local t0 states healthy
  t0=$(now)
  while :; do
    states=$(docker ps -a --filter "label=com.docker.compose.project=$PROJECT" --filter "label=org.cdnlab.node" --format '{{.Label "com.docker.compose.service"}} {{.Status}}')
    healthy=$(echo "$states" | grep -c '(healthy)' || true)
    [ "$healthy" -ge "$count" ] && break
    if grep -q -e 'Exited' -e '(unhealthy)' <<< "$states"; then echo "$states" >&2; fail "a node exited or is unhealthy"; fi
    awk -v a="$t0" -v b="$(now)" -v t="$HEALTH_TIMEOUT" 'BEGIN { exit !(b - a > t) }' && { echo "$states" >&2; fail "$healthy of $count healthy after ${HEALTH_TIMEOUT}s"; }
    sleep 0.5
  done
}

# ---- 3. the default topology -------------------------------------------------
begin "compose up until every node is healthy"
compose down -v --remove-orphans >/dev/null 2>&1 || true
services=$(compose config --services 2>/dev/null | grep -vx cli | sort)
count=$(echo "$services" | wc -l)
t_up=$(now)
compose up -d 2>&1 | quiet
wait_healthy
UP_SECONDS=$(since "$t_up")
echo "all $count nodes healthy ${UP_SECONDS}s after compose up (parents first: depends_on service_healthy)"
end

begin "measure: memory and image sizes"
docker stats --no-stream --format '{{.Name}} {{.MemUsage}}' $(docker ps -q --filter "label=com.docker.compose.project=$PROJECT") | tee "$WORK/stats"
awk '{ v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+$/, "", v); m = (u == "GiB") ? v * 1024 : (u == "KiB") ? v / 1024 : (u == "B") ? v / 1048576 : v; sum += m } END { printf "memory of the whole topology: %.0f MiB in %d containers\n", sum, NR }' "$WORK/stats"
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '^cdnlab/' | sort
end

begin "curl through an edge, dig against the DNS service"
url=http://127.0.0.1:8080/static/ci.js
h1=$(curl -sS -m 10 -D - -o /dev/null -H 'Host: cdn.cdnlab.test' "$url") || fail "curl $url"
h2=$(curl -sS -m 10 -D - -o /dev/null -H 'Host: cdn.cdnlab.test' "$url") || fail "curl $url (second)"
echo "$h1" | grep -i -e '^HTTP/' -e '^x-cache' -e '^x-served-by' | tr -d '\r'
echo "$h2" | grep -i -e '^HTTP/' -e '^x-cache' -e '^cache-status' | tr -d '\r'
[[ "${h1%%$'\n'*}" == *' 200'* ]] || fail "the edge did not answer 200"
grep -qi '^x-cache: HIT' <<< "$h2" || fail "the second request was not an edge HIT"
answer=$(dig @127.0.0.1 -p 5353 cdn.cdnlab.test A +short +time=2 +tries=2)
echo "dig @127.0.0.1 -p 5353 cdn.cdnlab.test -> $answer"
edges=$(docker ps --filter "label=com.docker.compose.project=$PROJECT" --filter label=org.cdnlab.role=edge --format '{{.Label "org.cdnlab.address"}}')
# Matched in the shell, not by `echo | grep -qx`: one CI run failed here
# although the answer it printed was in the list it printed. Under pipefail
# that pipeline fails whenever grep -q finds the line and exits before echo
# has written the rest (echo then dies of SIGPIPE); a case pattern has no pipe.
case $'\n'"$edges"$'\n' in
  *$'\n'"$answer"$'\n'*) [ -n "$answer" ] || fail "DNS gave no answer" ;;
  *) fail "DNS answered '$answer', not one of the edges' addresses ($(echo "$edges" | tr '\n' ' '))" ;;
esac
end

begin "faults through the Docker Engine API"
CDNLAB_COMPOSE_PROJECT="$PROJECT" pnpm jest --ci packages/launcher/test/compose-docker.test.ts
end

begin "compose down"
compose down -v --remove-orphans 2>&1 | quiet | tail -1
end

# ---- 4. scenarios inside the compose network ---------------------------------
# The cli service runs `cdnlab run --target compose`: the clients, the stub
# resolvers and the timeline live in the compose network, against the nodes
# `compose up` started; each variant is applied to the running cluster at run
# time, and kill/stop/start act on containers through the Docker Engine API.
begin "compose up for the scenarios"
compose up -d 2>&1 | quiet
wait_healthy
end
mkdir -p reports
# edge-failover kills edge-eu-1 and leaves it dead; the run after it reads
# every container's state from the engine and starts it again first.
# purge-redelivery freezes an edge with the engine's pause through a purge:
# the control plane's second call must be what it acknowledges.
for scenario in thundering-herd edge-failover network-partition purge-redelivery; do
  begin "scenario $scenario --quick (cli service, --target compose)"
  if ! compose run --rm -v "$PWD/reports:/app/reports" cli run "scenarios/$scenario.yaml" --quick --no-progress --target "compose:$PROJECT" 2>&1 | quiet; then fail "scenario $scenario failed inside compose"; fi
  end
done
grep -q 'restored the cluster after earlier faults: started edge-eu-1' reports/network-partition/*-compose/report.json ||
  fail "network-partition's report does not say it started edge-eu-1 again, which edge-failover left dead"

begin "compose down"
compose down -v --remove-orphans 2>&1 | quiet | tail -1
end
