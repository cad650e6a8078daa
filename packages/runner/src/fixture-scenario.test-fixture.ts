/**
 * A small scenario file for the runner's unit tests, written to a temporary
 * directory, so the tests do not move when the teaching scenarios in
 * scenarios/ are edited.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');

export const FIXTURE_VARIANTS = ['no-collapsing', 'edge-only', 'plus-shield'];

export function writeFixtureScenario(dir: string): string {
  const file = path.join(dir, 'herd-fixture.yaml');
  writeFileSync(
    file,
    `name: herd-fixture
title: A fixture herd
description: |
  One hot object, three ways of collapsing.

  - no-collapsing: the herd reaches the origin
  - plus-shield: one origin fetch
topology: ${path.join(REPO, 'topologies/default.yaml')}
variants:
  - name: no-collapsing
    description: Nobody collapses.
    overrides:
      defaults:
        all: { cache: { collapsing: "off" } }
        shield: { cache: { collapsing: "off" } }
  - name: edge-only
    overrides:
      defaults:
        regional: { cache: { collapsing: "off" } }
        shield: { cache: { collapsing: "off" } }
  - name: plus-shield
    description: The default topology.
workload:
  seed: 7
  duration: 3s
  clients:
    - { region: eu, count: 10, rate: 30, arrival: burst, burst: { size: 10, every: 1s } }
  objects: { popularity: hot, keys: [/hot] }
expectations:
  - { expect: 'origin.requests{path="/hot"} > 100', variant: no-collapsing }
  - { expect: 'origin.requests{path="/hot"} == 6', variant: edge-only }
  - { expect: 'origin.requests{path="/hot"} == 1', variant: plus-shield }
  - { expect: requests.errors == 0 }
`,
  );
  return file;
}
