/**
 * Runs the built CLI under a real pseudo-terminal (Python's pty module) and answers its
 * prompts step by step, so interactive paths are tested as a person meets them.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { BIN } from './cli.js';

export type PtyStep = { expect: string } | { send: string } | { sleep: number };

export interface PtyResult {
  output: string;
  code: number;
  timeout: boolean;
}

const SCRIPT = resolve(import.meta.dirname, 'pty_session.py');

/** Keys as a terminal sends them. */
export const KEY = { enter: '\r', ctrlC: '\x03', down: '\x1b[B', up: '\x1b[A' } as const;

export function runInPty(args: string[], steps: PtyStep[], env: NodeJS.ProcessEnv): PtyResult {
  const result = spawnSync('python3', [SCRIPT, JSON.stringify(steps), '--', process.execPath, BIN, ...args], {
    env: { PATH: process.env.PATH, TERM: 'xterm', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`pty helper failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as PtyResult;
}
