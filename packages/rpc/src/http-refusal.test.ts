import type { IncomingMessage } from 'node:http';
import { rawRefusal, refusalOfClientError, refusalOfHost, refusalOfVersion, type HttpClientError } from './http-refusal';

const parseError = (code: string, reason: string, packet = ''): HttpClientError =>
  Object.assign(new Error(`Parse Error: ${reason}`), { code, reason, rawPacket: Buffer.from(packet, 'latin1') });

const request = (httpVersion: string, rawHeaders: string[]): IncomingMessage =>
  ({ httpVersion, httpVersionMajor: Number(httpVersion.split('.')[0]), rawHeaders }) as unknown as IncomingMessage;

describe('refusals before a request reaches its handler', () => {
  it('names what the parser refused, with the status that fits', () => {
    expect(refusalOfClientError(parseError('HPE_INVALID_VERSION', 'Expected CRLF after version'))).toEqual({ status: 400, message: 'malformed request: Expected CRLF after version (HPE_INVALID_VERSION)' });
    expect(refusalOfClientError(parseError('HPE_HEADER_OVERFLOW', 'Header overflow'))).toEqual({ status: 431, message: 'request header section too large' });
    expect(refusalOfClientError(Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }))?.status).toBe(408);
    expect(refusalOfClientError(parseError('HPE_PAUSED_H2_UPGRADE', 'Pause on PRI/Upgrade'))?.status).toBe(505);
  });

  it('tells a well-formed request with an unknown method (501) from a malformed line (400)', () => {
    expect(refusalOfClientError(parseError('HPE_INVALID_METHOD', 'Invalid method encountered', 'GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n'))).toEqual({ status: 501, message: 'method "GARBAGE" is not supported' });
    expect(refusalOfClientError(parseError('HPE_INVALID_METHOD', 'Invalid method encountered', 'NOT HTTP AT ALL\r\n\r\n'))?.status).toBe(400);
    expect(refusalOfClientError(parseError('HPE_INVALID_METHOD', 'Invalid method encountered', 'G\x01T / HTTP/1.1\r\n'))?.status).toBe(400);
  });

  it('has nothing to say to a client that reset, or that sent more after Connection: close', () => {
    expect(refusalOfClientError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBeUndefined();
    expect(refusalOfClientError(parseError('HPE_CLOSED_CONNECTION', 'Data after `Connection: close`'))).toBeUndefined();
  });

  it('refuses versions other than HTTP/1.x and a missing or doubled Host', () => {
    expect(refusalOfVersion(request('1.1', []))).toBeUndefined();
    expect(refusalOfVersion(request('2.0', []))).toEqual({ status: 505, message: 'HTTP/2.0 is not supported: this server speaks HTTP/1.1 (RFC 9110 §15.6.6)' });
    expect(refusalOfVersion(request('0.9', []))?.status).toBe(505);
    expect(refusalOfHost(request('1.1', ['Host', 'a']))).toBeUndefined();
    expect(refusalOfHost(request('1.0', []))).toBeUndefined();
    expect(refusalOfHost(request('1.1', []))?.message).toBe('missing Host header (RFC 9112 §3.2)');
    expect(refusalOfHost(request('1.1', ['Host', 'a', 'HOST', 'b']))?.message).toBe('more than one Host header (RFC 9112 §3.2)');
  });

  it('writes a whole response that closes the connection, its length in bytes', () => {
    expect(rawRefusal({ status: 400, message: 'x' }, 'text/plain; charset=utf-8', '400 §\n', [['cache-control', 'no-store']])).toBe(
      'HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 7\r\ncache-control: no-store\r\n\r\n400 §\n',
    );
  });
});
