// Builds a 100,000-line keyed audit log with the real encoder (dist/), then times
// `audit verify`'s read and check of it through the directory store. Run after `npm run build`: node bench/audit-verify.mjs [lines]
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { currentKey, encodeAuditHead, encodeAuditLine, GENESIS_HASH, hashAuditLine, signAnchor } from '../dist/format/audit-line.js';
import { checkAuditLog } from '../dist/format/audit-chain.js';
import { agentLog } from '../dist/store/backend.js';
import { DirectoryBackend } from '../dist/store/directory-backend.js';

const count = Number(process.argv[2] ?? 100_000);
const keyring = { keys: [randomBytes(32)] };
const key = currentKey(keyring);
const dir = mkdtempSync(join(tmpdir(), 'agent-vault-bench-'));
const store = new DirectoryBackend(dir, 1000);
const log = agentLog('bench');
try {
  const lines = [];
  let prev = GENESIS_HASH;
  const start = Date.UTC(2025, 0, 1);
  for (let seq = 1; seq <= count; seq += 1) {
    const text = encodeAuditLine(
      { v: 1, seq, ts: new Date(start + seq).toISOString(), actor: 'agent:bench', agent: 'bench', action: 'credential.get', key: `KEY_${seq % 50}`, result: 'ok', pid: 4242, host: 'bench-host', prev },
      key,
    );
    lines.push(text);
    prev = hashAuditLine(text);
  }
  mkdirSync(join(dir, 'vaults'), { mode: 0o700 });
  writeFileSync(join(dir, log.name), `${lines.join('\n')}\n`, { mode: 0o600 });
  writeFileSync(join(dir, log.name.replace(/\.jsonl$/, '.head')), encodeAuditHead({ seq: count, hash: prev, keyed: signAnchor(count, prev, key) }), { mode: 0o600 });
  // What `audit verify` does for one log: read it and its head through the store, then check them.
  const t0 = performance.now();
  const { text, head } = await store.audit.read(log);
  const result = checkAuditLog(text, head, { keyring, requireKeyed: true });
  const ms = performance.now() - t0;
  if (result.problems.length > 0) throw new Error(`the bench log does not verify: ${result.problems[0].message}`);
  console.log(`audit verify: ${count} lines in ${ms.toFixed(0)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
