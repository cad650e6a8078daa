import { FETCH_LIMITS, fetchRequestProblem, responseHeadProblem } from './fetch-validation';
import type { FetchRequest__Output } from './generated/cdnlab/tier/v1/FetchRequest';
import type { ResponseHead__Output } from './generated/cdnlab/tier/v1/ResponseHead';

/** A FetchRequest as the loader hands it to a handler (defaults filled in). */
function request(over: Partial<FetchRequest__Output> = {}): FetchRequest__Output {
  return {
    method: 'GET',
    scheme: 'http',
    authority: 'cdn.test',
    target: '/a?b=c',
    headers: [],
    body: Buffer.alloc(0),
    cacheKey: '',
    notBeforeMs: 0,
    clientRegion: '',
    hops: 0,
    noStoreAnswer: false,
    requestId: '',
    ...over,
  };
}

function head(over: Partial<ResponseHead__Output> = {}): ResponseHead__Output {
  return { status: 200, headers: [], cacheStatus: [], originFetchedAtMs: 0, storedAtMs: 0, ageSeconds: 0, servedBy: '', collapsed: false, ...over };
}

const H = (name: string, value: string) => ({ name, value });

describe('fetchRequestProblem', () => {
  it('accepts what a front door sends', () => {
    expect(fetchRequestProblem(request())).toBeUndefined();
    expect(fetchRequestProblem(request({ method: 'OPTIONS', target: '*', scheme: '', authority: '' }))).toBeUndefined();
    expect(fetchRequestProblem(request({ authority: '[::1]:8080', headers: [H('accept', 'text/html, */*;q=0.8'), H('x-latin1', 'caf\u00e9\tbar')] }))).toBeUndefined();
    expect(fetchRequestProblem(request({ hops: 3, notBeforeMs: Date.now() }))).toBeUndefined();
  });

  it.each([
    ['an empty method', { method: '' }, 'method: required'],
    ['a method with a space', { method: 'G ET' }, 'method: expected an HTTP method token'],
    ['a method with CR LF', { method: 'GET\r\nX: y' }, 'method: expected an HTTP method token'],
    ['a megabyte of method', { method: 'A'.repeat(1 << 20) }, `method: expected at most ${FETCH_LIMITS.methodLength} characters, got ${1 << 20}`],
    ['another scheme', { scheme: 'ftp' }, 'scheme: expected "http" or "https", got "ftp"'],
    ['an authority with CR LF', { authority: 'a\r\nb' }, 'authority: expected host[:port]'],
    ['an authority with a path', { authority: 'cdn.test/x' }, 'authority: expected host[:port]'],
    ['an empty target', { target: '' }, 'target: required'],
    ['a target that is not a path', { target: 'abc' }, 'target: expected origin-form'],
    ['an absolute-form target', { target: 'http://evil/x' }, 'target: expected origin-form'],
    ['* with GET', { target: '*' }, 'target: expected origin-form'],
    ['a target with NUL', { target: '/a\0b' }, 'target: expected origin-form'],
    ['a target with raw non-ASCII', { target: '/caf\u00e9' }, 'target: expected origin-form'],
    ['a target over the limit', { target: `/${'a'.repeat(FETCH_LIMITS.targetLength)}` }, `target: expected at most ${FETCH_LIMITS.targetLength} characters`],
    ['an empty header name', { headers: [H('', 'x')] }, 'headers[0].name: expected a field name'],
    ['a header name with a space', { headers: [H('x-a', '1'), H('a b', 'x')] }, 'headers[1].name: expected a field name'],
    ['a header value with CR LF', { headers: [H('x-a', 'a\r\nset-cookie: x')] }, 'headers[0].value: expected a field value without control characters'],
    ['a header value with NUL', { headers: [H('x-a', 'a\0')] }, 'headers[0].value'],
    ['a header value past Latin-1', { headers: [H('x-a', '\u20ac')] }, 'headers[0].value'],
    ['too many field lines', { headers: Array.from({ length: FETCH_LIMITS.headerCount + 1 }, () => H('x-a', 'v')) }, `headers: expected at most ${FETCH_LIMITS.headerCount} field lines`],
    ['negative hops', { hops: -1 }, 'hops: expected a non-negative integer, got -1'],
    ['a negative not_before_ms', { notBeforeMs: -5 }, 'not_before_ms: expected epoch milliseconds >= 0'],
    ['a not_before_ms past 2^53', { notBeforeMs: 2 ** 63 }, 'not_before_ms: expected epoch milliseconds >= 0'],
  ])('refuses %s, naming the field', (_name, over, message) => {
    const problem = fetchRequestProblem(request(over as Partial<FetchRequest__Output>));
    expect(problem).toMatchObject({ code: 'BAD_REQUEST' });
    expect(problem?.message).toContain(message);
    // Values are quoted short: the message fits a gRPC trailer.
    expect(problem!.message.length).toBeLessThan(200);
  });
});

describe('responseHeadProblem', () => {
  it('accepts a valid head, repeated identical Content-Length included', () => {
    expect(responseHeadProblem(head({ headers: [H('cache-control', 'max-age=60'), H('Content-Length', '5'), H('content-length', ' 5')] }))).toBeUndefined();
    expect(responseHeadProblem(head({ status: 304 }))).toBeUndefined();
  });

  it.each([
    ['status 0', { status: 0 }, 'status: expected an HTTP status code in [100, 599], got 0'],
    ['status 1000', { status: 1000 }, 'status: expected an HTTP status code'],
    ['a header name with CR LF', { headers: [H('x\r\ny', 'v')] }, 'headers[0].name'],
    ['a header value with CR LF', { headers: [H('x-a', 'a\r\nset-cookie: evil')] }, 'headers[0].value'],
    ['two different Content-Length', { headers: [H('content-length', '1'), H('content-length', '5')] }, 'headers: conflicting Content-Length values "1" and "5"'],
    ['a Content-Length that is not a number', { headers: [H('content-length', '-1')] }, 'headers: expected Content-Length to be a decimal number'],
  ])('refuses %s', (_name, over, message) => {
    expect(responseHeadProblem(head(over as Partial<ResponseHead__Output>))).toContain(message);
  });
});
