// Peak resident memory of a Node script where /usr/bin/time is missing: runs the script
// in this process (argv as if it had been started alone) and, at exit, writes
// process.resourceUsage().maxRSS (KiB) to the file AGENT_VAULT_BENCH_RSS_FILE names.
// Usage: node bench/peak-rss.mjs <script> [args…]
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const out = process.env.AGENT_VAULT_BENCH_RSS_FILE;
delete process.env.AGENT_VAULT_BENCH_RSS_FILE;
const script = resolve(process.argv[2]);
process.argv.splice(1, 2, script);
process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
if (script.endsWith('.mjs')) await import(pathToFileURL(script).href);
else createRequire(import.meta.url)(script);
