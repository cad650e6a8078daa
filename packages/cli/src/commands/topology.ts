/**
 * `cdnlab topology generate`: a topology file at the size of a real CDN,
 * written rather than typed: N regions (synthetic, spread over the inhabited
 * latitudes, or real PoPs from a file), E edges and R regionals per region, a
 * few shields and an origin, with the latency between regions derived from
 * great-circle distance. The file is an ordinary topology (scenarios point
 * at it with `topology: { file: ... }`); the command loads what it wrote back
 * through the topology loader before saying it is done.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { Document, isMap, isSeq } from 'yaml';
import { parseSize, parseTopology, UnitError } from '@cdnlab/scenario';
import { generateTopologyFile, parsePops, type GenerateTopologyOptions } from '@cdnlab/sim';
import { CliError } from '../cli-error';

export interface GenerateFlags {
  regions?: number;
  pops?: string;
  edgesPerRegion: number;
  regionalsPerRegion?: number;
  shields?: number;
  kmPerMs?: number;
  edgeCapacity?: string;
  regionalCapacity?: string;
  shieldCapacity?: string;
  name?: string;
  out?: string;
}

function intOption(min: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function sizeOption(v: string): string {
  try {
    parseSize(v);
  } catch (err) {
    if (err instanceof UnitError) throw new InvalidArgumentError(err.message);
    throw err;
  }
  return v;
}

function nameOption(v: string): string {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(v)) throw new InvalidArgumentError('expected a name of letters, digits, ".", "_" and "-"');
  return v;
}

/** The command line that reproduces this file, for its header. */
function commandLine(flags: GenerateFlags): string {
  const parts = ['cdnlab topology generate'];
  if (flags.pops !== undefined) parts.push(`--pops ${flags.pops}`);
  else parts.push(`--regions ${flags.regions}`);
  parts.push(`--edges-per-region ${flags.edgesPerRegion}`);
  if (flags.regionalsPerRegion !== undefined) parts.push(`--regionals-per-region ${flags.regionalsPerRegion}`);
  if (flags.shields !== undefined) parts.push(`--shields ${flags.shields}`);
  if (flags.kmPerMs !== undefined) parts.push(`--km-per-ms ${flags.kmPerMs}`);
  if (flags.edgeCapacity !== undefined) parts.push(`--edge-capacity ${flags.edgeCapacity}`);
  if (flags.regionalCapacity !== undefined) parts.push(`--regional-capacity ${flags.regionalCapacity}`);
  if (flags.shieldCapacity !== undefined) parts.push(`--shield-capacity ${flags.shieldCapacity}`);
  if (flags.name !== undefined) parts.push(`--name ${flags.name}`);
  return parts.join(' ');
}

/** The YAML text of the topology `flags` describe (loaded back once to prove it is a valid topology). */
export function generateTopologyText(flags: GenerateFlags, outName = '<stdout>'): string {
  if ((flags.regions === undefined) === (flags.pops === undefined)) throw new CliError('give either --regions <n> (synthetic regions) or --pops <file> (real PoP locations)', 2);
  const opts: GenerateTopologyOptions = { edgesPerRegion: flags.edgesPerRegion };
  if (flags.pops !== undefined) {
    let text: string;
    try {
      text = readFileSync(flags.pops, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${flags.pops}: ${(err as Error).message}`);
    }
    opts.pops = parsePops(text, flags.pops);
  } else opts.regions = flags.regions;
  if (flags.regionalsPerRegion !== undefined) opts.regionalsPerRegion = flags.regionalsPerRegion;
  if (flags.shields !== undefined) opts.shields = flags.shields;
  if (flags.kmPerMs !== undefined) opts.kmPerMs = flags.kmPerMs;
  if (flags.edgeCapacity !== undefined) opts.edge = { capacity: flags.edgeCapacity };
  if (flags.regionalCapacity !== undefined) opts.regional = { capacity: flags.regionalCapacity };
  if (flags.shieldCapacity !== undefined) opts.shield = { capacity: flags.shieldCapacity };
  if (flags.name !== undefined) opts.name = flags.name;
  let file: ReturnType<typeof generateTopologyFile>;
  try {
    file = generateTopologyFile(opts);
  } catch (err) {
    // The generator's own checks name its options; say them as flags.
    if (err instanceof TypeError) throw new CliError(err.message.replace(/opts\.(\w+)/g, (_, k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`), 2);
    throw err;
  }
  const regions = file.regions.length;
  const edges = regions * flags.edgesPerRegion;
  const doc = new Document(file);
  // Short maps on one line: a location, a distance row, a link.
  for (const key of ['regions', 'links']) {
    const seq = doc.get(key);
    if (isSeq(seq)) for (const item of seq.items) if (isMap(item)) item.flow = true;
  }
  const dist = doc.get('distances');
  if (isMap(dist)) for (const row of dist.items) if (isMap(row.value)) row.value.flow = true;
  doc.commentBefore = [
    ` Generated by: ${commandLine(flags)}`,
    ` ${regions} regions × ${flags.edgesPerRegion} edges (${edges.toLocaleString('en-US')} edges), ${flags.regionalsPerRegion ?? 1} regional(s) per region, ${flags.shields ?? 1} shield(s), one origin.`,
    ` One-way latency between regions: great-circle distance at ${flags.kmPerMs ?? 200} km per ms`,
    ' (light in fibre, two thirds of c, on a straight line: real routes are longer).',
    ' Clients of region i send from 127.(64 + i / 256).(i % 256).0/24, so a small',
    ' topology runs on the embedded engine and `cdnlab up` as well; a large one',
    ' is for `cdnlab run <scenario> --engine sim`.',
    ' Regenerate rather than edit, or copy it and make it your own.',
  ].join('\n');
  const text = doc.toString({ lineWidth: 0 });
  parseTopology(text, outName);
  return text;
}

export function registerTopology(program: Command): void {
  const topology = program.command('topology').description('topology files: generate one at internet scale');
  topology
    .command('generate')
    .description('write a topology of N regions × E edges (synthetic regions, or real PoPs with --pops), latency from distance')
    .option('--regions <n>', 'synthetic regions, spread over the inhabited latitudes', intOption(1))
    .option('--pops <file>', 'real PoP locations instead: a YAML/JSON list of { name, lat, lon }')
    .requiredOption('--edges-per-region <n>', 'edges in each region', intOption(1))
    .option('--regionals-per-region <n>', 'regionals in each region (default 1)', intOption(1))
    .option('--shields <n>', 'shields, placed in the first regions (default 1)', intOption(1))
    .option('--km-per-ms <n>', 'map distance per ms of one-way latency (default 200: light in fibre)', positiveNumber)
    .option('--edge-capacity <size>', 'edge cache size, e.g. 512MiB (default: the loader\'s 64MiB)', sizeOption)
    .option('--regional-capacity <size>', 'regional cache size', sizeOption)
    .option('--shield-capacity <size>', 'shield cache size', sizeOption)
    .option('--name <name>', 'topology name (default generated-<regions>x<edges>)', nameOption)
    .option('-o, --out <file>', 'write the topology here (default: stdout)')
    .action((flags: GenerateFlags) => {
      const text = generateTopologyText(flags, flags.out ?? '<stdout>');
      if (flags.out === undefined || flags.out === '-') {
        process.stdout.write(text);
        return;
      }
      try {
        writeFileSync(flags.out, text);
      } catch (err) {
        throw new CliError(`cannot write ${flags.out}: ${(err as Error).message}`);
      }
      process.stderr.write(`topology: wrote ${flags.out}\n`);
    });
}
