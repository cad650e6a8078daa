import { FETCH_CHUNK_BYTES, chunksOf } from './fetch-stream';

describe('chunksOf', () => {
  it('splits into views of at most the chunk size that rebuild the input', () => {
    const input = Buffer.alloc(3 * FETCH_CHUNK_BYTES + 17, 7);
    const chunks = [...chunksOf(input)];
    expect(chunks.map((c) => c.byteLength)).toEqual([FETCH_CHUNK_BYTES, FETCH_CHUNK_BYTES, FETCH_CHUNK_BYTES, 17]);
    expect(Buffer.concat(chunks).equals(input)).toBe(true);
    expect([...chunksOf(Buffer.alloc(0))]).toEqual([]);
    expect(() => [...chunksOf(input, 0)]).toThrow('expected size to be a positive integer, got 0');
  });
});
