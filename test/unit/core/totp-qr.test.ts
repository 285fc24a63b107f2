import { describe, expect, it } from 'vitest';
import { parseTotpSecret } from '../../../src/core/totp.js';
import { provisioningUri, QUIET_ZONE, renderHalfBlocks } from '../../../src/core/totp-qr.js';

const SECRET = 'JBSWY3DPEHPK3PXP';

describe('provisioningUri', () => {
  it('labels a bare key issuer:account from the credential, without colons inside either', () => {
    expect(provisioningUri(parseTotpSecret(SECRET), { agent: 'bot', key: 'GITHUB', name: '', username: 'octo' })).toBe(`otpauth://totp/GITHUB%3Aocto?secret=${SECRET}&algorithm=SHA1&digits=6&period=30&issuer=GITHUB`);
    expect(provisioningUri(parseTotpSecret(SECRET), { agent: 'bot', key: 'GITHUB', name: 'Git:Hub' })).toBe(`otpauth://totp/Git%20Hub%3Abot?secret=${SECRET}&algorithm=SHA1&digits=6&period=30&issuer=Git+Hub`);
  });

  it("keeps a stored URI's label and issuer", () => {
    const params = parseTotpSecret(`otpauth://totp/ACME%3Aalice?secret=${SECRET}&issuer=ACME&digits=8`);
    expect(provisioningUri(params, { agent: 'bot', key: 'K', name: 'n', username: 'u' })).toBe(`otpauth://totp/ACME%3Aalice?secret=${SECRET}&algorithm=SHA1&digits=8&period=30&issuer=ACME`);
  });
});

describe('renderHalfBlocks', () => {
  it('draws two rows a line inside a quiet zone, light modules drawn without colour', () => {
    const modules = [
      [true, false],
      [false, true],
    ];
    const lines = renderHalfBlocks(modules, false).replace(/\n$/, '').split('\n');
    const size = 2 + 2 * QUIET_ZONE;
    expect(lines).toHaveLength(size / 2);
    expect(lines.every((l) => [...l].length === size)).toBe(true);
    // The quiet zone is light; row 2 of the code holds modules (dark, light) over (light, dark).
    expect(lines[0]).toBe('█'.repeat(size));
    expect(lines[1]).toBe(`${'█'.repeat(QUIET_ZONE)}▄▀${'█'.repeat(QUIET_ZONE)}`);
  });
});
