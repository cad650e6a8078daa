import { purgeCommandFromJson, purgeCommandFromProto } from './purge-command';

describe('purge commands', () => {
  it('fills defaults from JSON and maps names', () => {
    expect(purgeCommandFromJson({ kind: 'url', value: '/a' }, 'tree')).toEqual({ kind: 'url', value: '/a', mode: 'hard', fanout: 'tree' });
    expect(purgeCommandFromJson({ kind: 'all', value: 'ignored', mode: 'soft', fanout: 'direct' }, 'tree')).toEqual({
      kind: 'all',
      value: '',
      mode: 'soft',
      fanout: 'direct',
    });
  });

  it('names the bad field', () => {
    expect(() => purgeCommandFromJson({ kind: 'URL', value: '/a' }, 'direct')).toThrow(/expected body\.kind to be one of url, tag, prefix, all, got "URL"/);
    expect(() => purgeCommandFromJson({ kind: 'tag', value: 'a\nb' }, 'direct')).toThrow(/body\.value without control characters/);
    expect(() => purgeCommandFromJson({ kind: 'prefix', value: 'x'.repeat(9000) }, 'direct')).toThrow(/body\.value to be at most 8192/);
    expect(() => purgeCommandFromJson(null, 'direct')).toThrow(/JSON object/);
  });

  it('maps the gRPC enums, with UNSPECIFIED mode = hard and UNSPECIFIED fan-out = default', () => {
    expect(purgeCommandFromProto({ kind: 'PURGE_KIND_TAG', value: 't', mode: 'PURGE_MODE_UNSPECIFIED', fanout: 'FANOUT_UNSPECIFIED' }, 'tree')).toEqual({
      kind: 'tag',
      value: 't',
      mode: 'hard',
      fanout: 'tree',
    });
    expect(purgeCommandFromProto({ kind: 'PURGE_KIND_ALL', value: '', mode: 'PURGE_MODE_SOFT', fanout: 'FANOUT_DIRECT' }, 'tree')).toMatchObject({ mode: 'soft', fanout: 'direct' });
    expect(() => purgeCommandFromProto({ kind: 'PURGE_KIND_UNSPECIFIED', value: '', mode: 'PURGE_MODE_HARD', fanout: 'FANOUT_TREE' }, 'tree')).toThrow(/expected kind/);
  });
});
