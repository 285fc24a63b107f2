'use strict';
// `node scripts/code-cache.cjs <bundle>...` writes each <bundle>.cache (dist/cli.cjs, dist/fast.cjs, dist/generate.cjs), the V8 code cache that
// bin/load-bundle.cjs loads the bundle with, for the Node running this script. Run by
// scripts/bundle.mjs, in a process of its own with no NODE_OPTIONS: V8 rejects a cache
// made under other V8 flags, and the shipped cache must fit a plain `node`.
//
// V8 caches only what is compiled when the cache is made, and compiles most functions
// on their first call. So the cache is made after running the hot command lines of
// that bundle (TRAINING) on a throwaway store: their functions are then in it, and a
// `credential get` compiles almost nothing. Only those runs go through the cached copy
// of the bundle; the store is set up through another copy (plain require()), so that
// the code of `init` and `provision` does not make the cache bigger, and slower to load,
// for every run.
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { basename, dirname, join, resolve } = require('node:path');
const { cacheHeader, bundleId, compileBundle, runBundle } = require('../bin/load-bundle.cjs');

/**
 * The command lines whose code each cache holds, run with an agent token on a store with
 * credential K and login T, by bundle file: for a fast bundle its forms, for the whole CLI common
 * command lines through commander, which put the code of commander and of the subtree
 * build in its cache too.
 */
const TRAINING = {
  /** dist/fast.cjs (src/cli/fast-main.ts), which runs the fast forms alone. */
  'fast.cjs': [['credential', 'get', 'K'], ['totp', 'T'], ['cred', 'get', 'K', '--json'], ['generate'], ['credential', 'list']],
  /** dist/generate.cjs (src/cli/generate-main.ts), a bare `generate` alone. */
  'generate.cjs': [['generate'], ['generate', '--json']],
  /** dist/cli.cjs, which the bin loads for every other command line. */
  'cli.cjs': [['credential', 'list', '--type', 'api_key'], ['credential', 'get', 'K', '--quiet'], ['credential', 'set', 'N=value']],
};

async function run(bundle, args) {
  const argv = ['node', 'agent-vault', ...args];
  const code = await (bundle.fastMain === undefined ? bundle.main(argv) : bundle.fastMain(argv));
  if (code !== 0) throw new Error(`code cache: agent-vault ${args.join(' ')} exited ${code}`);
}

/** Makes the cache of each bundle in `files` (dist/cli.cjs first, the fast bundles beside it), trained on one throwaway store. */
async function main(files) {
  const root = mkdtempSync(join(tmpdir(), 'agent-vault-code-cache-'));
  try {
    const tokenFile = join(root, 'token');
    const passphraseFile = join(root, 'passphrase');
    writeFileSync(passphraseFile, 'code cache\n', { mode: 0o600 });
    writeFileSync(join(root, 'secret'), 'a value\n', { mode: 0o600 });
    for (const name of Object.keys(process.env)) if (name.startsWith('AGENT_VAULT_')) delete process.env[name];
    Object.assign(process.env, { HOME: root, XDG_CONFIG_HOME: join(root, 'config'), XDG_DATA_HOME: join(root, 'data'), AGENT_VAULT_HOME: join(root, 'store') });
    // The store is set up by the whole CLI beside the bundles, through a copy of its own.
    const setup = require(join(dirname(files[0]), 'cli.cjs'));
    await run(setup, ['--passphrase-file', passphraseFile, 'init', '--kdf-memory', '1', '--kdf-iterations', '1', '--kdf-parallelism', '1']);
    await run(setup, ['--passphrase-file', passphraseFile, 'provision', 'bot', '--token-file', tokenFile]);
    process.env.AGENT_VAULT_TOKEN_FILE = tokenFile;
    await run(setup, ['credential', 'add', 'K', '--type', 'api_key', '--value-file', join(root, 'secret')]);
    await run(setup, ['credential', 'add', 'T', '--type', 'login', '--password-file', join(root, 'secret'), '--totp-file', writeTotp(root)]);
    for (const file of files) {
      const script = compileBundle(file);
      const trained = runBundle(script, file);
      const training = TRAINING[basename(file)];
      if (training === undefined) throw new Error(`code cache: no training runs for ${file}`);
      for (const args of training) await run(trained, args);
      const id = bundleId(readFileSync(file, 'utf8'));
      if (id === undefined) throw new Error(`code cache: ${file} has no bundle id line`);
      writeFileSync(`${file}.cache`, Buffer.concat([Buffer.from(`${cacheHeader(id)}\n`), script.createCachedData()]));
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A TOTP secret in a file (RFC 6238's test key), for `totp T`. */
function writeTotp(root) {
  const file = join(root, 'totp');
  writeFileSync(file, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n', { mode: 0o600 });
  return file;
}

main(process.argv.slice(2).map((file) => resolve(file))).catch((err) => {
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
});
