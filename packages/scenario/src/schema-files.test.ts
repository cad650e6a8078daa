import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { SCHEMAS_DIR, schemaFiles } from './gen-schemas';

const REPO = path.resolve(__dirname, '../../..');

describe('schemas/*.schema.json', () => {
  it.each(Object.entries(schemaFiles()))('%s is up to date (pnpm --filter @cdnlab/scenario gen:schemas)', (name, text) => {
    expect(readFileSync(path.join(SCHEMAS_DIR, name), 'utf8')).toBe(text);
  });

  // What an editor does: plain JSON Schema validation of the files, with no help from our loader.
  const ajv = new Ajv({ allErrors: true, strict: false });
  const load = (name: string) => ajv.compile(JSON.parse(readFileSync(path.join(SCHEMAS_DIR, name), 'utf8')));
  const yaml = (rel: string) => parseDocument(readFileSync(path.join(REPO, rel), 'utf8')).toJS();

  it('every file in topologies/ that we ship validates against topology.schema.json', () => {
    const validate = load('topology.schema.json');
    expect(validate(yaml('topologies/default.yaml'))).toBe(true);
    expect(validate({ ...yaml('topologies/default.yaml'), nodez: [] })).toBe(false);
  });

  it('scenarios/thundering-herd.yaml validates against scenario.schema.json, and so does an inline topology', () => {
    const validate = load('scenario.schema.json');
    const herd = yaml('scenarios/thundering-herd.yaml');
    expect(validate(herd)).toBe(true);
    expect(validate({ ...herd, topology: yaml('topologies/default.yaml') })).toBe(true);
    expect(validate({ ...herd, topology: { ...yaml('topologies/default.yaml'), regions: 'x' } })).toBe(false);
    expect(validate({ ...herd, timeline: [{ at: '1s', action: 'purge', bogus: 1 }] })).toBe(false);
    // Overrides are partial: no required fields inside them.
    expect(validate({ ...herd, variants: [{ name: 'v', overrides: { nodes: [{ id: 'shield', cache: { eviction: 'lfu' } }] } }] })).toBe(true);
    expect(validate({ ...herd, variants: [{ name: 'v', overrides: { nodes: [{ id: 'shield', cache: { eviction: 'nope' } }] } }] })).toBe(false);
  });

  it('the example files point editors at the schemas', () => {
    expect(readFileSync(path.join(REPO, 'topologies/default.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\.\/schemas\/topology\.schema\.json\n/);
    expect(readFileSync(path.join(REPO, 'scenarios/thundering-herd.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\.\/schemas\/scenario\.schema\.json\n/);
  });
});
