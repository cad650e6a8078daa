/**
 * The compose files committed at the top of the repository, generated from
 * topologies/default.yaml. One function renders both, so the generator
 * (scripts/gen-compose.ts) and the test that they are current cannot differ.
 */
import path from 'node:path';
import { loadTopologyFile } from '@cdnlab/scenario';
import { composeFor, composePortsFor } from './compose-file';

export const COMPOSE_FILE = 'docker-compose.yml';
export const COMPOSE_PORTS_FILE = 'docker-compose.ports.yml';

const BASE_HEADER = `Generated from topologies/default.yaml by scripts/gen-compose.ts: do not edit.
Regenerate: pnpm exec tsx scripts/gen-compose.ts    (or: pnpm cdnlab compose <topology.yaml> -o <file>)

  scripts/build-images.sh                       bundle the services and build cdnlab/<role> images
  docker compose up -d --wait                   start the default topology, parents first, each one healthy
  docker compose -f docker-compose.yml -f docker-compose.ports.yml up -d
                                                the same, with an edge, DNS and the control API on 127.0.0.1
  docker compose run --rm cli run scenarios/thundering-herd.yaml --quick
  docker stack deploy -c docker-compose.yml cdnlab   (single-node swarm; scripts/swarm-check.sh)

Works with docker compose v2 and docker-compose 1.29. Each node's config is in CDNLAB_CONFIG;
CDNLAB_TOKEN, CDNLAB_TAG and NODE_IMAGE in the environment override the defaults below.`;

const PORTS_HEADER = `Generated from topologies/default.yaml by scripts/gen-compose.ts: do not edit.
Publishes one edge's HTTP (127.0.0.1:8080), the DNS service (127.0.0.1:5353 udp+tcp) and the control API (127.0.0.1:8800):
  docker compose -f docker-compose.yml -f docker-compose.ports.yml up -d
  curl -H 'Host: cdn.cdnlab.test' http://127.0.0.1:8080/static/app.js
  dig @127.0.0.1 -p 5353 cdn.cdnlab.test`;

/** The text of both files for the repository at `repoRoot`. */
export function renderDefaultComposeFiles(repoRoot: string): Record<string, string> {
  const topology = loadTopologyFile(path.join(repoRoot, 'topologies', 'default.yaml'));
  return {
    [COMPOSE_FILE]: composeFor(topology, { header: BASE_HEADER }),
    [COMPOSE_PORTS_FILE]: composePortsFor(topology, { header: PORTS_HEADER }),
  };
}
