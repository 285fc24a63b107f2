import { describe, expect, it } from 'vitest';
import { REDACTED, matchService, parseTarget, pathAllowed, scrub, secretForms } from '../../../../src/core/broker/rules.js';
import { normaliseHostPattern, parseAuthStyle, type Service } from '../../../../src/core/broker/service.js';

const service = (over: Partial<Service>): Service => ({ name: 's', hosts: ['api.x.com'], credential: 'K', auth: 'bearer', created: '', ...over });

describe('matchService', () => {
  const url = (text: string): URL => parseTarget(text);

  it('matches scheme, host, port, method and path', () => {
    const s = service({ hosts: ['api.x.com', '*.y.com:8443'], methods: ['GET'], paths: ['/v1/**'] });
    expect(matchService([s], 'GET', url('https://api.x.com/v1/a/b')).kind).toBe('match');
    expect(matchService([s], 'get', url('https://API.X.COM/v1/a')).kind).toBe('match');
    expect(matchService([s], 'GET', url('https://a.y.com:8443/v1/a')).kind).toBe('match');
    expect(matchService([s], 'GET', url('https://a.b.y.com:8443/v1/a')).kind).toBe('none');
    expect(matchService([s], 'GET', url('https://y.com:8443/v1/a')).kind).toBe('none');
    expect(matchService([s], 'GET', url('https://a.y.com/v1/a')).kind).toBe('none');
    expect(matchService([s], 'GET', url('http://api.x.com/v1/a')).kind).toBe('none');
    expect(matchService([s], 'GET', url('https://api.x.com.evil.com/v1/a')).kind).toBe('none');
    expect(matchService([s], 'GET', url('https://evilapi.x.com/v1/a')).kind).toBe('none');
    expect(matchService([s], 'POST', url('https://api.x.com/v1/a')).kind).toBe('method');
    expect(matchService([s], 'GET', url('https://api.x.com/v2/a')).kind).toBe('path');
  });

  it('compares an IDN in its punycode form', () => {
    const s = service({ hosts: [normaliseHostPattern('xn--pi-uia.x.com')] });
    expect(matchService([s], 'GET', url('https://äpi.x.com/')).kind).toBe('match');
    expect(matchService([service({})], 'GET', url('https://аpi.x.com/')).kind).toBe('none');
  });

  it('prefers an exact host over a wildcard', () => {
    const wild = service({ name: 'wild', hosts: ['*.x.com'] });
    const exact = service({ name: 'exact' });
    expect(matchService([wild, exact], 'GET', url('https://api.x.com/'))).toMatchObject({ kind: 'match', service: { name: 'exact' } });
  });

  it.each(['https://api.x.com@evil.com/', 'https://evil.com\\@api.x.com/', 'https://api.x.com./', 'https://u:p@api.x.com/', 'ftp://api.x.com/', 'https://api.x.com/ x'])('refuses the ambiguous target %s', (text) => {
    expect(() => parseTarget(text)).toThrow(/refusing the URL/);
  });
});

describe('pathAllowed', () => {
  it('keeps * within a segment and ** across, and refuses encoded slashes, backslashes and dots', () => {
    const s = service({ paths: ['/repos/*/issues', '/v1/**'] });
    expect(['/repos/a/issues', '/v1/x/y', '/v1/'].map((p) => pathAllowed(s, p))).toEqual([true, true, true]);
    expect(['/repos/a/b/issues', '/v2/x', '/v1/..%2fadmin', '/v1/%2E%2E/x', '/v1/a%5cb', '/repos/a%2Fb/issues'].map((p) => pathAllowed(s, p))).toEqual([false, false, false, false, false, false]);
  });
});

describe('scrub', () => {
  const secret = 'sk-live-0123456789abcdef';

  it('removes the raw, URL-encoded, base64 and base64url forms at every alignment', () => {
    const special = 'p@ss/w+rd?=&x';
    for (const prefix of ['', 'a', 'ab']) {
      const b64 = Buffer.from(`${prefix}${secret}`).toString('base64');
      const out = scrub(Buffer.from(`x ${b64} y ${encodeURIComponent(special)} ${special} ${Buffer.from(secret).toString('base64url')}`), [secret, special]).toString();
      expect(out).not.toContain(Buffer.from(secret).toString('base64').slice(4, -4));
      expect(out).not.toContain(special);
      expect(out).not.toContain(encodeURIComponent(special));
      expect(out).toContain(REDACTED);
    }
  });

  it('leaves bytes without a secret untouched, and ignores forms too short to be specific', () => {
    const body = Buffer.from([0xff, 0x00, 0x41]);
    expect(scrub(body, [secret])).toBe(body);
    expect(secretForms('ab')).toEqual([]);
  });
});

describe('parseAuthStyle', () => {
  it('reads each style and refuses others', () => {
    expect(parseAuthStyle('header:Authorization:token ')).toEqual({ kind: 'header', name: 'Authorization', prefix: 'token ' });
    expect(parseAuthStyle('query:key')).toEqual({ kind: 'query', name: 'key' });
    for (const bad of ['header:', 'header:Bad Name', 'query:a:b', 'header:Content-Length', 'digest']) expect(() => parseAuthStyle(bad)).toThrow(/invalid --auth/);
  });
});

describe('checkServices', () => {
  const stored = { name: 'api', hosts: ['api.x.com'], credential: 'K', auth: 'bearer', created: '2026-01-01T00:00:00.000Z' };

  it('accepts the stored shape and refuses any other as damaged', async () => {
    const { checkServices } = await import('../../../../src/core/broker/service.js');
    expect(() => checkServices([stored], 'bot')).not.toThrow();
    for (const bad of [{}, [{ ...stored, name: 'Bad' }], [{ ...stored, hosts: 'api.x.com' }], [{ ...stored, auth: 'cookie' }], [{ ...stored, allowPrivate: 'yes' }], [null]]) {
      expect(() => checkServices(bad, 'bot')).toThrow(/unsupported shape/);
    }
  });
});
