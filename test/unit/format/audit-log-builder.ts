import { randomBytes } from 'node:crypto';
import type { AuditEvent } from '../../../src/core/audit-event.js';
import { currentKey, encodeAuditHead, encodeAuditLine, GENESIS_HASH, hashAuditLine, signAnchor, type AuditKeyring } from '../../../src/format/audit-line.js';

export function newKeyring(epochs = 1): AuditKeyring {
  return { keys: Array.from({ length: epochs }, () => randomBytes(32)) };
}

/** Builds a log of `n` lines with the real encoder; `keyFor(seq)` picks each line's key epoch (none: unkeyed). */
export function buildLog(
  n: number,
  keyring: AuditKeyring | undefined,
  options: { keyFor?: (seq: number) => number | undefined; event?: Partial<AuditEvent> } = {},
): { lines: string[]; head: string; text: string } {
  const lines: string[] = [];
  let prev = GENESIS_HASH;
  let anchor: ReturnType<typeof signAnchor> | undefined;
  for (let seq = 1; seq <= n; seq += 1) {
    const epoch = keyring ? (options.keyFor ? options.keyFor(seq) : keyring.keys.length - 1) : undefined;
    const key = epoch === undefined || !keyring ? undefined : { epoch, key: keyring.keys[epoch]! };
    const ts = new Date(Date.UTC(2025, 0, 1) + seq * 1000).toISOString();
    const text = encodeAuditLine({ v: 1, seq, ts, actor: 'agent:bot1', agent: 'bot1', action: 'credential.get', key: 'API_KEY', result: 'ok', pid: 42, host: 'h', prev, ...options.event }, key);
    lines.push(text);
    prev = hashAuditLine(text);
    if (key) anchor = signAnchor(seq, prev, keyring ? currentKey(keyring) : key);
  }
  const head = encodeAuditHead({ seq: n, hash: prev, ...(anchor ? { keyed: anchor } : {}) });
  return { lines, head, text: lines.map((l) => `${l}\n`).join('') };
}

export function join(lines: string[]): string {
  return lines.map((l) => `${l}\n`).join('');
}
