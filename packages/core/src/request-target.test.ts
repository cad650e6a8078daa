import { isValidHostValue, parseAbsoluteTarget } from './request-target';

describe('parseAbsoluteTarget (RFC 9112 §3.2.2)', () => {
  it('splits authority from the origin-form target, byte for byte, without the fragment', () => {
    expect(parseAbsoluteTarget('http://cdn.test/a/%2e%2e/b?x=%zz&y')).toEqual({ authority: 'cdn.test', target: '/a/%2e%2e/b?x=%zz&y' });
    expect(parseAbsoluteTarget('HTTPS://Cdn.Test:8443')).toEqual({ authority: 'Cdn.Test:8443', target: '/' });
    expect(parseAbsoluteTarget('http://[::1]:80?q')).toEqual({ authority: '[::1]:80', target: '/?q' });
    expect(parseAbsoluteTarget('http://h/p#f?not-query')).toEqual({ authority: 'h', target: '/p' });
    expect(parseAbsoluteTarget('http://h#f')).toEqual({ authority: 'h', target: '/' });
  });

  it('is undefined for what is not an http(s) URI and names the fault of one it refuses', () => {
    expect(parseAbsoluteTarget('/path')).toBeUndefined();
    expect(parseAbsoluteTarget('*')).toBeUndefined();
    expect(parseAbsoluteTarget('ftp://h/x')).toBeUndefined();
    expect(parseAbsoluteTarget('http://u@h/x')).toMatch(/userinfo/);
    expect(parseAbsoluteTarget('http:///x')).toMatch(/valid host/);
    expect(parseAbsoluteTarget('http://h:123456/x')).toMatch(/valid host/);
    expect(parseAbsoluteTarget('http://h h/x')).toMatch(/valid host/);
  });
});

describe('isValidHostValue (RFC 9110 §7.2: uri-host [":" port])', () => {
  it('takes names, IPv4 and bracketed IP literals with an optional port', () => {
    for (const ok of ['cdn.test', 'CDN.Test:8080', '127.0.0.1:80', '[::1]', '[::1]:8443', 'xn--bcher-kva.example', 'a_b-c.test', 'h:']) expect(isValidHostValue(ok)).toBe(true);
  });

  it('refuses spaces, paths, userinfo, unbalanced brackets, bad ports and the empty value', () => {
    for (const bad of ['', 'a b', 'h/p', 'u@h', '[::1', '::1]', 'h:80x', 'h:123456', 'h?q', 'h#f', 'h\tx']) expect(isValidHostValue(bad)).toBe(false);
  });
});
