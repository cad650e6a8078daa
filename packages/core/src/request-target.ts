/**
 * Request-targets (RFC 9112 §3.2): a server must accept the absolute-form as
 * well as the origin-form, and then take the host from the target.
 */

/** A request-target in absolute-form, split into the authority that names the host and the path and query to serve. */
export interface AbsoluteTarget {
  authority: string;
  target: string;
}

/** `uri-host [ ":" port ]` (RFC 9110 §7.2, RFC 3986 §3.2.2): a bracketed IP literal or a reg-name/IPv4, then an optional port. */
const HOST_VALUE = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(:\d{0,5})?$/;

/**
 * Whether `value` is a valid Host field value, which is also the authority
 * of an http(s) URI without userinfo. A request whose Host is not one gets
 * a 400 (RFC 9112 §3.2). Empty is not valid here: the caller decides what an
 * empty Host means (allowed beside an absolute-form target).
 */
export function isValidHostValue(value: string): boolean {
  return HOST_VALUE.test(value);
}

/**
 * Reads an absolute-form request-target (RFC 9112 §3.2.2), `http://host[:port]/path?query`:
 * the authority and the origin-form target, kept byte for byte (no URL
 * normalisation, so the key is what the client sent). Undefined when it is
 * not an http(s) URI with a host; a string when it is one we refuse.
 */
export function parseAbsoluteTarget(raw: string): AbsoluteTarget | string | undefined {
  const m = /^(https?):\/\//i.exec(raw);
  if (!m) return undefined;
  const rest = raw.slice(m[0].length);
  let end = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c === 0x2f /* / */ || c === 0x3f /* ? */ || c === 0x23 /* # */) {
      end = i;
      break;
    }
  }
  const authority = rest.slice(0, end);
  // userinfo is deprecated in http(s) URIs and a recipient should treat it as an error (RFC 9110 §4.2.4).
  if (authority.includes('@')) return 'userinfo in the request-target is not allowed (RFC 9110 §4.2.4)';
  if (!isValidHostValue(authority)) return 'absolute-form request-target without a valid host (RFC 9112 §3.2.2)';
  let path = rest.slice(end);
  if (path.startsWith('#')) path = '';
  const hash = path.indexOf('#');
  if (hash >= 0) path = path.slice(0, hash);
  return { authority, target: path === '' ? '/' : path.startsWith('?') ? `/${path}` : path };
}
