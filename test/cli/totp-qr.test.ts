/**
 * `totp --qr --reveal`: the printed half-block code is turned back into pixels and
 * decoded with jsQR, so the test reads what a phone would scan.
 */
import jsQRModule from 'jsqr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

const SECRET = 'JBSWY3DPEHPK3PXP';
// jsqr is CommonJS whose types declare an ES default export: its function is `.default` to the type checker.
const jsQR = jsQRModule.default;

/** The code as pixels (light modules drawn, as printed without colour), 4 px a module, with a wide white border. */
function decode(text: string): string | undefined {
  const lines = text.replace(/\n$/, '').split('\n');
  const rows: boolean[][] = [];
  for (const line of lines) {
    const chars = [...line];
    rows.push(chars.map((c) => c === '█' || c === '▀'));
    rows.push(chars.map((c) => c === '█' || c === '▄'));
  }
  const scale = 4;
  const border = 8;
  const width = (rows[0]!.length + 2 * border) * scale;
  const height = (rows.length + 2 * border) * scale;
  const pixels = new Uint8ClampedArray(width * height * 4).fill(255);
  rows.forEach((row, y) =>
    row.forEach((light, x) => {
      if (light) return;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const at = (((y + border) * scale + dy) * width + (x + border) * scale + dx) * 4;
          pixels.fill(0, at, at + 3);
        }
      }
    }),
  );
  return jsQR(pixels, width, height)?.data;
}

describe('totp --qr', () => {
  let store: TempStore;
  let bot: string;

  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot = await store.provision('bot');
    await store.owner(['credential', 'add', 'GITHUB', '--type', 'login', '--username', 'octo', '--totp-stdin', '--agent', 'bot'], { input: SECRET });
  });
  afterEach(() => store.cleanup());

  it('needs --reveal (exit 2), printing nothing', async () => {
    const result = await store.agent(bot, ['totp', 'GITHUB', '--qr']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--reveal');
  });

  it('prints a QR code that decodes to the key URI, labelled issuer:account when only a base32 key was stored, audited as a reveal', async () => {
    const result = await store.agent(bot, ['totp', 'GITHUB', '--qr', '--reveal']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^[█▀▄ \n]+$/);
    const uri = decode(result.stdout);
    expect(uri).toBe(`otpauth://totp/GITHUB%3Aocto?secret=${SECRET}&algorithm=SHA1&digits=6&period=30&issuer=GITHUB`);
    expect(result.stdout).not.toContain(SECRET);
    const json = await store.agent(bot, ['totp', 'GITHUB', '--qr', '--reveal', '--json']);
    const shown = JSON.parse(json.stdout) as { uri: string; qr: string };
    expect(shown.uri).toBe(uri);
    expect(decode(shown.qr)).toBe(uri);
    const audit = await store.owner(['audit', '--json', '--agent', 'bot', '--key', 'GITHUB']);
    expect((JSON.parse(audit.stdout) as Array<{ action: string }>).map((e) => e.action)).toContain('credential.reveal');
  });

  it("keeps a stored URI's own label and issuer, and names the agent when there is no username", async () => {
    await store.owner(['credential', 'update', 'GITHUB', '--totp-stdin', '--agent', 'bot'], { input: `otpauth://totp/ACME%3Aalice?secret=${SECRET}&issuer=ACME` });
    expect(decode((await store.agent(bot, ['totp', 'GITHUB', '--qr', '--reveal'])).stdout)).toBe(`otpauth://totp/ACME%3Aalice?secret=${SECRET}&algorithm=SHA1&digits=6&period=30&issuer=ACME`);
    await store.owner(['credential', 'add', 'VPN', '--type', 'login', '--password-stdin', '--agent', 'bot'], { input: 'pw' });
    await store.owner(['credential', 'update', 'VPN', '--totp-stdin', '--agent', 'bot'], { input: SECRET });
    expect(decode((await store.owner(['totp', 'VPN', '--qr', '--reveal', '--agent', 'bot'])).stdout)).toBe(`otpauth://totp/VPN%3Abot?secret=${SECRET}&algorithm=SHA1&digits=6&period=30&issuer=VPN`);
  });

  it('draws black on white in colour on a terminal, one line per two rows of modules', async () => {
    const result = await store.agent(bot, ['totp', 'GITHUB', '--qr', '--reveal'], { tty: true });
    expect(result.code).toBe(0);
    const lines = result.stdout.replace(/\n$/, '').split('\n');
    const cells = [...lines[0]!.replaceAll(/\x1b\[[0-9;]*m/g, '')];
    expect(cells.every((c) => c === '▀')).toBe(true);
    expect(lines).toHaveLength(Math.ceil(cells.length / 2));
    expect(lines[0]).toContain('\x1b[97m\x1b[107m▀');
    expect(lines.every((l) => l.endsWith('\x1b[0m'))).toBe(true);
  });

  it('is exit 3 for a credential without a TOTP secret', async () => {
    await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot'], { input: 'v' });
    expect((await store.agent(bot, ['totp', 'API_KEY', '--qr', '--reveal'])).code).toBe(3);
  });
});
