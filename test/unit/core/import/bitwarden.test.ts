/**
 * Bitwarden's unencrypted JSON export (fixture written from Bitwarden's documented
 * format): every item type, folders as tags, notes and custom fields kept, and each
 * malformed shape named by its entry.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBitwardenJson } from '../../../../src/core/import/bitwarden.js';

const FIXTURE = readFileSync(new URL('../../../fixtures/import/bitwarden.json', import.meta.url), 'utf8');

describe('parseBitwardenJson', () => {
  it('maps logins, notes, cards, identities and SSH keys, with folders as tags', () => {
    const { entries, warnings } = parseBitwardenJson(FIXTURE);
    expect(warnings).toEqual([]);
    expect(entries.map((e) => [e.source, e.name, e.type])).toEqual([
      ['entry 1 (GitHub)', 'GitHub', 'login'],
      ['entry 2 (OpenAI API key)', 'OpenAI API key', 'api_key'],
      ['entry 3 (Wi-Fi (home))', 'Wi-Fi (home)', 'secure_note'],
      ['entry 4 (Visa)', 'Visa', 'card'],
      ['entry 5 (Me)', 'Me', 'identity'],
      ['entry 6 (deploy key)', 'deploy key', 'api_key'],
      ['entry 7 (GitHub)', 'GitHub', 'login'],
    ]);
    const [github, openai, wifi, card, me, ssh] = entries;
    expect(github).toEqual({
      source: 'entry 1 (GitHub)',
      name: 'GitHub',
      type: 'login',
      fields: { username: 'octo-bot', password: 'gh-Sup3r-s3cret', totp: 'otpauth://totp/GitHub:octo-bot?secret=JBSWY3DPEHPK3PXP&issuer=GitHub' },
      uris: ['https://github.com/login', 'https://api.github.com'],
      tags: ['Work'],
      // The linked field holds no value of its own; the hidden one is kept.
      notes: 'recovery codes: 1a2b3-4c5d6, 7e8f9-0a1b2\n\nPAT scope: repo, workflow\nbackup email: octo-backup@example.com',
    });
    expect(openai).toMatchObject({ fields: { value: 'sk-proj-abc123def456' }, tags: [] });
    expect(wifi).toMatchObject({ fields: { notes: 'SSID: example-home\npassphrase: correct horse battery staple' }, tags: ['Personal'] });
    expect(card).toMatchObject({ fields: { number: '4111111111111111', cvv: '123', cardholder: 'Ada Lovelace', expiry: '07/29' }, notes: 'brand: Visa' });
    expect(me).toMatchObject({
      fields: { full_name: 'Ada Lovelace', email: 'ada@example.com', phone: '+44 20 7946 0000', address: "12 St James's Square\nSW1Y 4JH London\nGB" },
      notes: 'title: Ms\ncompany: Analytical Engines Ltd\nusername: ada\npassport number: 123456789',
    });
    expect(ssh).toMatchObject({ fields: { value: expect.stringMatching(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/) }, notes: expect.stringMatching(/^public key: ssh-ed25519 /) });
  });

  it('warns about a passkey it cannot carry and an item type it does not know', () => {
    const text = JSON.stringify({ encrypted: false, items: [
      { type: 1, name: 'Site', login: { username: 'u', password: 'p', fido2Credentials: [{ credentialId: 'x' }] } },
      { type: 9, name: 'Future' },
    ] });
    const { entries, warnings } = parseBitwardenJson(text);
    expect(entries).toHaveLength(1);
    expect(warnings).toEqual([
      { source: 'entry 1 (Site)', message: 'its passkey cannot be imported' },
      { source: 'entry 2 (Future)', message: 'its item type 9 is not one agent-vault knows: left out' },
    ]);
  });

  it.each([
    ['not JSON', '{"items": [', 'bitwarden-json: the file: is not JSON'],
    ['an encrypted export', JSON.stringify({ encrypted: true, passwordProtected: true, data: 'x' }), 'bitwarden-json: the file: is an encrypted export'],
    ['no items', JSON.stringify({ encrypted: false }), 'bitwarden-json: the file: has no list of items'],
    ['an item that is no object', JSON.stringify({ items: [{ type: 2, name: 'ok', notes: 'n' }, 'text'] }), 'bitwarden-json: entry 2: is not an object'],
    ['URIs that are no list', JSON.stringify({ items: [{ type: 1, name: 'Site', login: { uris: 'https://x.example' } }] }), 'bitwarden-json: entry 1 (Site): login.uris is not a list'],
    ['a password that is no text', JSON.stringify({ items: [{ type: 1, name: 'Site', login: { password: { secret: 1 } } }] }), 'bitwarden-json: entry 1 (Site): login.password is not text'],
    ['a custom field that is no object', JSON.stringify({ items: [{ type: 2, name: 'N', notes: 'n', fields: [7] }] }), 'bitwarden-json: entry 1 (N): fields[0] is not an object'],
    ['folders that are no list', JSON.stringify({ folders: {}, items: [] }), 'bitwarden-json: folders: is not a list'],
    ['an SSH key without its private key', JSON.stringify({ items: [{ type: 5, name: 'K', sshKey: { publicKey: 'ssh-ed25519 AAAA' } }] }), 'bitwarden-json: entry 1 (K): sshKey.privateKey is missing'],
  ])('refuses %s, naming where', (_what, text, message) => {
    expect(() => parseBitwardenJson(text)).toThrow(message);
  });

  it('never quotes a value in an error', () => {
    const text = JSON.stringify({ items: [{ type: 1, name: 'Site', login: { username: 'u', password: ['hunter2-secret'] } }] });
    expect(() => parseBitwardenJson(text)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
  });
});
