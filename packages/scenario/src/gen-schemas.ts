/**
 * The JSON Schema files editors use (`schemas/*.schema.json`), produced from
 * the TypeBox definitions so they cannot drift from the loader. A test fails
 * when the committed files are stale; `pnpm --filter @cdnlab/scenario gen:schemas`
 * rewrites them.
 */
import path from 'node:path';
import { toJsonSchema } from './schema-common';
import { buildScenarioSchema } from './schema-scenario';
import { TopologySchema } from './schema-topology';

/** Where the files live: `schemas/` at the repository root. */
export const SCHEMAS_DIR = path.resolve(__dirname, '../../../schemas');

function withHeader(schema: Record<string, unknown>, source: string): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $comment: `Generated from packages/scenario/src/${source} by \`pnpm --filter @cdnlab/scenario gen:schemas\`; do not edit by hand.`,
    ...schema,
  };
}

/** File name → exact file text. */
export function schemaFiles(): Record<string, string> {
  const text = (s: Record<string, unknown>) => `${JSON.stringify(s, null, 2)}\n`;
  return {
    'topology.schema.json': text(withHeader(toJsonSchema(TopologySchema), 'schema-topology.ts')),
    'scenario.schema.json': text(withHeader(toJsonSchema(buildScenarioSchema('editor')), 'schema-scenario.ts')),
  };
}
