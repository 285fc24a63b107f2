/**
 * How hook events travel: a URL hook gets an HTTP POST of the event JSON with the
 * `X-Agent-Vault-Event`, `X-Agent-Vault-Delivery` and `X-Agent-Vault-Signature`
 * headers, acknowledged by any 2xx answer within the timeout; an exec hook is run by
 * `/bin/sh -c` with the event JSON on stdin, acknowledged by exit status 0. Loaded only
 * by `hook` commands.
 */
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Hook } from '../core/hook-event.js';
import type { HookTransport, RetryPolicy } from '../app/hooks.js';
import { DEFAULT_RETRY } from '../app/hooks.js';
import { withoutCallerSecrets } from '../core/env-vars.js';
import type { IO } from './io.js';

/** How long one attempt may take before it counts as failed. */
export const ATTEMPT_TIMEOUT_MS = 10_000;

/**
 * Test-only: the first wait between attempts in milliseconds (then doubled), instead of
 * one second, so a test of retries need not wait (man 1, ENVIRONMENT).
 */
export const BACKOFF_VARIABLE = 'AGENT_VAULT_HOOK_BACKOFF_MS';

/** The retry policy, with the test-only backoff from the environment. */
export function retryPolicy(env: NodeJS.ProcessEnv): RetryPolicy {
  const given = env[BACKOFF_VARIABLE];
  return given !== undefined && /^[0-9]{1,6}$/.test(given) ? { ...DEFAULT_RETRY, backoffMs: Number(given) } : DEFAULT_RETRY;
}

function post(url: string, body: string, headers: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'agent-vault', ...headers }, timeout: ATTEMPT_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`HTTP ${status}`));
      });
      res.on('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code ?? 'response error')));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    // The error's code only: a message may quote the URL, which can hold a token of the receiver's.
    req.on('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code ?? err.message)));
    req.end(body);
  });
}

function runHookCommand(io: IO, command: string, body: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    // The command's output is for the person running hook run: stderr, never stdout (--json).
    child.stdout.on('data', (chunk: Buffer) => io.stderr.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => io.stderr.write(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), ATTEMPT_TIMEOUT_MS);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(err.code ?? 'could not start'));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(signal ? `killed by ${signal}` : `exit ${code}`));
    });
    child.stdin.on('error', () => {});
    child.stdin.end(body);
  });
}

/** The transport of the CLI: HTTP(S) and `/bin/sh -c`, with real waits between attempts. */
export function hookTransport(io: IO): HookTransport {
  return {
    send(hook: Hook, { event, body, signature, delivery }): Promise<void> {
      if (hook.url !== undefined) return post(hook.url, body, { 'x-agent-vault-event': event, 'x-agent-vault-delivery': delivery, 'x-agent-vault-signature': signature });
      // Never the caller's token, passphrase or session: the command is not agent-vault.
      const env = withoutCallerSecrets(io.env);
      Object.assign(env, { AGENT_VAULT_EVENT: event, AGENT_VAULT_DELIVERY: delivery });
      return runHookCommand(io, hook.exec!, body, env);
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
