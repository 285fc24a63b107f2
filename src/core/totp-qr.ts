/**
 * `totp --qr`: the key URI a phone's authenticator app scans, with a label it can show,
 * and the QR code's modules drawn with half-block characters (two rows per line). Pure:
 * the QR encoder (`uqr`) is loaded by the CLI and hands over its module matrix.
 */
import { encodeTotpUri, type TotpParams } from './totp.js';

/** What names an account when the stored URI has no label: the credential's own facts. */
export interface LabelSource {
  agent: string;
  key: string;
  name: string;
  username?: string;
}

/**
 * The stored parameters as a key URI with a label: the stored label and issuer when
 * there is one (an imported URI keeps its own), else `issuer:account` from the
 * credential (its name, else its key; its username, else the agent), with the issuer
 * parameter set to match, as authenticator apps expect.
 */
export function provisioningUri(params: TotpParams, source: LabelSource): string {
  if (params.label !== '') return encodeTotpUri(params);
  // A colon separates issuer and account in a label: none may appear inside either.
  const issuer = (params.issuer || source.name || source.key).replaceAll(':', ' ');
  const account = (source.username || source.agent).replaceAll(':', ' ');
  return encodeTotpUri({ ...params, issuer, label: `${issuer}:${account}` });
}

/** Light modules around the code, in modules: enough for phone cameras, small for terminals. */
export const QUIET_ZONE = 2;

/**
 * The modules (`true` = dark) as text, two rows per line. With `color`, each cell is an
 * upper half block whose foreground is the top module and background the bottom one,
 * black on white, so it scans on a light or dark terminal alike. Without colour, the
 * light modules are the drawn ones (as `qrencode -t UTF8`), which suits the usual dark
 * terminal background; scanners read either polarity.
 */
export function renderHalfBlocks(modules: readonly (readonly boolean[])[], color: boolean): string {
  const size = modules.length + 2 * QUIET_ZONE;
  const dark = (row: number, col: number): boolean => modules[row - QUIET_ZONE]?.[col - QUIET_ZONE] === true;
  const lines: string[] = [];
  for (let row = 0; row < size; row += 2) {
    let line = '';
    for (let col = 0; col < size; col++) {
      const top = dark(row, col);
      const bottom = row + 1 < size && dark(row + 1, col);
      if (color) line += `\x1b[${top ? 30 : 97}m\x1b[${bottom ? 40 : 107}m▀`;
      else line += !top && !bottom ? '█' : !top ? '▀' : !bottom ? '▄' : ' ';
    }
    lines.push(color ? `${line}\x1b[0m` : line);
  }
  return `${lines.join('\n')}\n`;
}
