#!/usr/bin/env bash
# Deploys docker-compose.yml with `docker stack deploy` on a single-node swarm
# and waits until every node of the default topology is healthy. The swarm is
# created here if this engine is not in one, and left again at the end; the
# stack is always removed.
#
#   scripts/swarm-check.sh            (images from scripts/build-images.sh must exist)
#   env: STACK (default cdnlab-swarm), TIMEOUT seconds (default 180)
#
# The stack CLI reads the v3 schema, so the file goes through
# scripts/stack-file.ts first: depends_on conditions become plain lists and
# `profiles` is dropped (packages/launcher/src/compose-stack.ts). Services use
# endpoint_mode dnsrr, so no IPVS is needed.
set -euo pipefail
cd "$(dirname "$0")/.."

STACK="${STACK:-cdnlab-swarm}"
TIMEOUT="${TIMEOUT:-180}"
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

JOINED=0
FILE="$(mktemp --suffix=.yml)"
cleanup() {
  docker stack rm "$STACK" >/dev/null 2>&1 || true
  # The overlay network goes once its tasks are gone.
  for _ in $(seq 1 30); do docker network inspect "${STACK}_cdnlab" >/dev/null 2>&1 || break; sleep 1; done
  [ "$JOINED" = 1 ] && docker swarm leave --force >/dev/null 2>&1 && echo "swarm-check: left the swarm it created"
  rm -f "$FILE"
}
trap cleanup EXIT

if [ "$(docker info -f '{{.Swarm.LocalNodeState}}')" != active ]; then
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
  JOINED=1
  echo "swarm-check: initialised a single-node swarm"
fi

pnpm exec tsx scripts/stack-file.ts docker-compose.yml > "$FILE"
want=$(docker compose -f "$FILE" config --services 2>/dev/null || docker-compose -f docker-compose.yml config --services)
want=$(echo "$want" | grep -vx cli | sort)
count=$(echo "$want" | wc -l)

# A stack of the same name from an earlier run would count its containers as ours.
if grep -qx "$STACK" <<< "$(docker stack ls --format '{{.Name}}')"; then
  docker stack rm "$STACK" >/dev/null
  for _ in $(seq 1 60); do [ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$STACK")" ] && break; sleep 1; done
fi

# Healthy = the service runs all its replicas AND a running container of it
# reports healthy (a replica counts as running before its healthcheck passes).
healthy_services() {
  local running healthy
  running=$(docker service ls --filter "label=com.docker.stack.namespace=$STACK" --format '{{.Name}} {{.Replicas}}' | awk '{ split($2, r, "/"); if (r[1] == r[2] && r[2] > 0) print $1 }' | sed "s/^${STACK}_//" | sort -u)
  healthy=$(docker ps --filter "label=com.docker.stack.namespace=$STACK" --filter health=healthy --format '{{.Label "com.docker.swarm.service.name"}}' | sed "s/^${STACK}_//" | sort -u)
  comm -12 <(echo "$running") <(echo "$healthy")
}

t0=$(now)
docker stack deploy -c "$FILE" "$STACK" 2>&1 | grep -v -e 'detach' -e '^$' | sed 's/^/swarm-check: /'
echo "swarm-check: waiting for $count services to be healthy (at most ${TIMEOUT}s)"
while :; do
  missing=$(comm -23 <(echo "$want") <(healthy_services))
  [ -z "$missing" ] && break
  if awk -v a="$t0" -v b="$(now)" -v t="$TIMEOUT" 'BEGIN { exit !(b - a > t) }'; then
    echo "swarm-check: FAILED after ${TIMEOUT}s; not healthy: $(echo "$missing" | tr '\n' ' ')" >&2
    for svc in $missing; do docker service ps --no-trunc --format '  {{.Name}} {{.CurrentState}} {{.Error}}' "${STACK}_$svc" >&2 || true; done
    exit 1
  fi
  sleep 1
done
echo "swarm-check: all $count services healthy $(took "$t0")s after docker stack deploy"
docker service ls --filter "label=com.docker.stack.namespace=$STACK" --format 'swarm-check: {{.Name}} {{.Replicas}} {{.Image}}'
