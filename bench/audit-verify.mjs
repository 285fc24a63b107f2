// Grows an agent's audit log in a directory store to N lines with the real encoder and
// the agent's own audit key, so that `agent-vault audit verify` (run by npm run bench,
// timed with its peak memory) checks a real log: every line keyed, chained, a keyed head.
// Usage, after a build: node bench/audit-verify.mjs <checkout> <store> <agent> <token file> <lines>
// (<checkout> is the build whose dist/ encodes the lines: this one or BENCH_COMPARE's.)
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [checkout, store, agent, tokenFile, count] = process.argv.slice(2);
if (!count) throw new Error('usage: node bench/audit-verify.mjs <checkout> <store> <agent> <token file> <lines>');
const dist = (path) => import(pathToFileURL(join(checkout, 'dist', path)).href);
const { openSession } = await dist('app/open-session.js');
const { currentKey, encodeAuditHead, encodeAuditLine, hashAuditLine, parseAuditLine, signAnchor } = await dist('format/audit-line.js');

const session = await openSession({ store, token: readFileSync(tokenFile, 'utf8').trim() });
const key = currentKey(await session.auditKeyring(agent));
const logPath = join(store, 'vaults', `${agent}.audit.jsonl`);
const existing = readFileSync(logPath, 'utf8').split('\n').slice(0, -1);
const last = existing.at(-1);
let seq = parseAuditLine(last).seq;
let prev = hashAuditLine(last);
const start = Date.UTC(2025, 0, 1);
let batch = [];
while (seq < Number(count)) {
  seq += 1;
  const line = encodeAuditLine(
    { v: 1, seq, ts: new Date(start + seq * 1000).toISOString(), actor: `agent:${agent}`, agent, action: 'credential.get', key: `KEY_${seq % 50}`, result: 'ok', pid: 4242, host: 'bench-host', prev },
    key,
  );
  batch.push(line);
  prev = hashAuditLine(line);
  if (batch.length === 10_000) {
    appendFileSync(logPath, `${batch.join('\n')}\n`);
    batch = [];
  }
}
if (batch.length > 0) appendFileSync(logPath, `${batch.join('\n')}\n`);
writeFileSync(logPath.replace(/\.jsonl$/, '.head'), encodeAuditHead({ seq, hash: prev, keyed: signAnchor(seq, prev, key) }));
