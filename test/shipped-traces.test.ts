import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readCsvTrace } from '../packages/scenario/src/trace';
import { crawlerTrace } from '../scripts/gen-crawler-trace';

const FILE = path.resolve(__dirname, '../scenarios/traces/crawler.csv');

describe('scenarios/traces/crawler.csv', () => {
  it('is what scripts/gen-crawler-trace.ts writes (regenerate it rather than edit it)', () => {
    expect(readFileSync(FILE, 'utf8')).toBe(crawlerTrace());
  });

  it('has the shape eviction-scan.yaml describes: 150 images, six sweeps of 250 pages each once, 10 KiB, in time order', () => {
    const records = [...readCsvTrace(FILE)];
    const images = records.filter((r) => String(r.key).startsWith('/img/'));
    const pages = records.filter((r) => String(r.key).startsWith('/archive/'));
    expect(images.length + pages.length).toBe(records.length);
    expect(new Set(images.map((r) => r.key)).size).toBeLessThanOrEqual(150);
    expect(pages).toHaveLength(1500);
    expect(new Set(pages.map((r) => r.key)).size).toBe(1500);
    expect([...new Set(pages.map((r) => Math.floor((r.timeMs - 5000) / 10_000)))]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(records.every((r) => r.sizeBytes === 10_240)).toBe(true);
    expect(records.every((r, i) => i === 0 || r.timeMs >= records[i - 1].timeMs)).toBe(true);
    expect(records[records.length - 1].timeMs).toBeLessThan(60_000);
  });
});
