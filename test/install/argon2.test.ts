/**
 * argon2 is the one native dependency, and it must run from the prebuilt binary its
 * package ships. When that prebuild does not load, node-gyp-build silently compiles
 * argon2 at install time, which needs python3, make and a C++ compiler: a user's machine
 * with only Node and npm would fail to install, so such an install must fail here too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const ARGON2_DIR = dirname(createRequire(join(ROOT, 'package.json')).resolve('argon2/package.json'));
/** The node-gyp-build that argon2 itself requires, which picks the binding it loads. */
const nodeGypBuild = createRequire(join(ARGON2_DIR, 'package.json'))('node-gyp-build') as { path(dir: string): string };

/** RFC 9106 §5.3, the Argon2id test vector. */
const RFC9106_ARGON2ID_TAG = '0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659';

describe('argon2 as installed', () => {
  it('loads the prebuilt binding of the package, not one compiled at install', () => {
    const binding = relative(ARGON2_DIR, nodeGypBuild.path(ARGON2_DIR));
    expect(binding.split(sep)[0], binding).toBe('prebuilds');
    expect(existsSync(join(ARGON2_DIR, 'build')), 'node_modules/argon2/build/ exists: argon2 was compiled at install').toBe(false);
  });

  it('hashes the RFC 9106 Argon2id vector', () => {
    // In a child process: a binding that crashes on load (as argon2 0.45's linux-x64
    // prebuild does on Debian 12) then fails this test instead of killing the worker.
    const script = `require('argon2').hash(Buffer.alloc(32, 1), { type: 2, version: 0x13, raw: true, salt: Buffer.alloc(16, 2), secret: Buffer.alloc(8, 3), associatedData: Buffer.alloc(12, 4), memoryCost: 32, timeCost: 3, parallelism: 4, hashLength: 32 }).then((tag) => process.stdout.write(tag.toString('hex')))`;
    const result = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect({ signal: result.signal, status: result.status, stderr: result.stderr }).toEqual({ signal: null, status: 0, stderr: '' });
    expect(result.stdout).toBe(RFC9106_ARGON2ID_TAG);
  });
});
