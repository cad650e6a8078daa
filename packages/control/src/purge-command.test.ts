import { purgeCommandFromJson, purgeCommandFromProto } from './purge-command';

describe('purge commands', () => {
  it('fills defaults from JSON and maps names', () => {
    expect(purgeCommandFromJson({ kind: 'url', value: '/a' }, 'tree')).toEqual({ kind: 'url', value: '/a', mode: 'hard', fanout: 'tree', redeliver: true });
    expect(purgeCommandFromJson({ kind: 'all', value: 'ignored', mode: 'soft', fanout: 'direct', redeliver: false }, 'tree')).toEqual({
      kind: 'all',
      value: '',
      mode: 'soft',
      fanout: 'direct',
      redeliver: false,
    });
    expect(purgeCommandFromJson({ kind: 'tag', value: 't', redeliver: true }, 'direct')).toMatchObject({ redeliver: true });
  });

  it('names the bad field', () => {
    expect(() => purgeCommandFromJson({ kind: 'URL', value: '/a' }, 'direct')).toThrow(/expected body\.kind to be one of url, tag, prefix, all, got "URL"/);
    expect(() => purgeCommandFromJson({ kind: 'tag', value: 'a\nb' }, 'direct')).toThrow(/body\.value without control characters/);
    expect(() => purgeCommandFromJson({ kind: 'prefix', value: 'x'.repeat(9000) }, 'direct')).toThrow(/body\.value to be at most 8192/);
    expect(() => purgeCommandFromJson(null, 'direct')).toThrow(/JSON object/);
    expect(() => purgeCommandFromJson({ kind: 'tag', value: 't', retry: false }, 'direct')).toThrow(/unknown field body\.retry \(known: kind, value, mode, fanout, redeliver\)/);
  });

  it('names an array or an object instead of printing it: a body nested 10,000 deep is a 400, not a stack overflow', () => {
    const nested = JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`) as unknown;
    expect(() => purgeCommandFromJson({ kind: nested }, 'direct')).toThrow('expected body.kind to be one of url, tag, prefix, all, got an array');
    expect(() => purgeCommandFromJson({ kind: 'tag', value: { a: nested } }, 'direct')).toThrow('expected body.value to be a non-empty string for kind "tag", got an object');
    expect(() => purgeCommandFromJson(nested, 'direct')).toThrow('expected the body to be a JSON object, got an array');
  });

  it('takes a URL purge only for a path or an http(s) URL, which is what the caches can apply', () => {
    expect(purgeCommandFromJson({ kind: 'url', value: 'https://cdn.test/a?b' }, 'direct').value).toBe('https://cdn.test/a?b');
    expect(purgeCommandFromJson({ kind: 'url', value: '//cdn.test/a' }, 'direct').value).toBe('//cdn.test/a');
    expect(() => purgeCommandFromJson({ kind: 'url', value: 'ftp://x/y' }, 'direct')).toThrow('expected body.value to be an http(s) URL, not ftp: for kind "url", got "ftp://x/y"');
    expect(() => purgeCommandFromJson({ kind: 'url', value: 'http://[' }, 'direct')).toThrow('expected body.value to be a path starting with "/" or an absolute http(s) URL for kind "url"');
    expect(() => purgeCommandFromJson({ kind: 'url', value: 'news/1' }, 'direct')).toThrow(/path starting with "\/"/);
    // Tags and prefixes are not URLs.
    expect(purgeCommandFromJson({ kind: 'tag', value: 'news/1' }, 'direct').value).toBe('news/1');
  });

  it.each([['yes'], [0], [null], ['false']])('refuses redeliver %j: it must be a boolean', (redeliver) => {
    expect(() => purgeCommandFromJson({ kind: 'all', redeliver }, 'direct')).toThrow(`expected body.redeliver to be true or false, got ${JSON.stringify(redeliver)}`);
  });

  it('maps the gRPC enums, with UNSPECIFIED mode = hard and UNSPECIFIED fan-out = default', () => {
    expect(
      purgeCommandFromProto({ kind: 'PURGE_KIND_TAG', value: 't', mode: 'PURGE_MODE_UNSPECIFIED', fanout: 'FANOUT_UNSPECIFIED', noRedeliver: false }, 'tree'),
    ).toEqual({
      kind: 'tag',
      value: 't',
      mode: 'hard',
      fanout: 'tree',
      redeliver: true,
    });
    expect(purgeCommandFromProto({ kind: 'PURGE_KIND_ALL', value: '', mode: 'PURGE_MODE_SOFT', fanout: 'FANOUT_DIRECT', noRedeliver: false }, 'tree')).toMatchObject({
      mode: 'soft',
      fanout: 'direct',
    });
    expect(() =>
      purgeCommandFromProto({ kind: 'PURGE_KIND_UNSPECIFIED', value: '', mode: 'PURGE_MODE_HARD', fanout: 'FANOUT_TREE', noRedeliver: false }, 'tree'),
    ).toThrow(/expected kind/);
  });

  it('reads no_redeliver: unset (proto3 false) redelivers, true calls each node once', () => {
    const cmd = { kind: 'PURGE_KIND_URL', value: '/a', mode: 'PURGE_MODE_HARD', fanout: 'FANOUT_DIRECT' } as const;
    expect(purgeCommandFromProto({ ...cmd, noRedeliver: false }, 'tree').redeliver).toBe(true);
    expect(purgeCommandFromProto({ ...cmd, noRedeliver: true }, 'tree').redeliver).toBe(false);
  });
});
