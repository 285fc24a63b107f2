/**
 * Keeping the token and the passphrase out of /proc/<pid>/environ while `exec`'s child
 * runs. Any process of the same user (the child among them: its parent is agent-vault)
 * can read that file, and it shows the environment the process was *started* with:
 * deleting a variable from `process.env` does not change it. The only way to change it
 * is to start again: on Node with `process.execve` (22.15+, 23.11+), agent-vault
 * re-executes itself in place (same pid, same parent, same stdio) with the variables
 * left out, before it starts the child.
 *
 * The values cross the re-execution neither in the environment nor on the command
 * line. `process.execve` keeps only fds 0 to 2 open (Node opens every other one
 * close-on-exec, and a pipe of `spawn` is a socket that /proc cannot reopen), so a
 * holder carries them: a short-lived child, started with an empty environment, that
 * reads them from its stdin and serves them once on an abstract Unix socket (no file
 * anywhere) with a random name; the re-executed agent-vault, told the name, connects,
 * reads them and the holder ends, all before the command starts. A process that read
 * the name and connected first would take the values (as it could have read them in
 * the environment before), and agent-vault would then stop with an error, never run
 * with values of someone else's: it only ever reads from the holder, never listens.
 * Linux only (abstract sockets); elsewhere, and on older Node, nothing changes, and
 * the token file (`AGENT_VAULT_TOKEN_FILE`, `--token-file`) keeps the token out of the
 * environment.
 */
import { randomBytes } from 'node:crypto';
import { VaultError } from '../core/errors.js';

/** The variables whose values are handed over rather than kept in the environment. */
export const HANDED_OVER = ['AGENT_VAULT_TOKEN', 'AGENT_VAULT_PASSPHRASE', 'AGENT_VAULT_SESSION'] as const;

/** In the re-executed process's environment: the name of the holder's socket. Set by agent-vault only. */
export const HOLDER_VARIABLE = 'AGENT_VAULT_HANDOVER';

/** How long a holder waits to be read before it ends by itself, taking the values with it. */
const HOLDER_LIFETIME_MS = 30_000;

/**
 * The holder: reads `{name, values}` from stdin, serves `values` to the first
 * connection on the abstract socket `name`, then ends. Plain JavaScript, run with `-e`.
 */
const HOLDER = `
let input = '';
process.stdin.setEncoding('utf8').on('data', (c) => (input += c)).on('end', () => {
  const { name, values } = JSON.parse(input);
  const server = require('node:net').createServer((socket) => {
    server.close();
    socket.end(JSON.stringify(values));
  });
  server.listen('\\0' + name, () => process.stdout.write('ready\\n'));
  setTimeout(() => process.exit(0), ${HOLDER_LIFETIME_MS}).unref();
});
`;

const NAME = /^agent-vault-handover-[0-9a-f]{32}$/;

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

function execve(): Execve | undefined {
  const candidate = (process as { execve?: unknown }).execve;
  return typeof candidate === 'function' ? (candidate as Execve).bind(process) : undefined;
}

/** Whether this Node can re-execute in place, on a system with abstract Unix sockets. */
export function canReexecute(): boolean {
  return execve() !== undefined && process.platform === 'linux';
}

/** Starts a holder of `values`; resolves with its socket's name once it serves them. */
export async function holdValues(values: Readonly<Record<string, string>>): Promise<string> {
  // Loaded here: node:child_process costs start-up time every other command need not pay.
  const { spawn } = await import('node:child_process');
  const name = `agent-vault-handover-${randomBytes(16).toString('hex')}`;
  // An empty environment and a command line without the values: the holder shows neither.
  const holder = spawn(process.execPath, ['-e', HOLDER], { stdio: ['pipe', 'pipe', 'ignore'], env: {} });
  holder.stdin.end(JSON.stringify({ name, values }));
  await new Promise<void>((resolve, reject) => {
    let said = '';
    holder.once('error', reject);
    holder.once('exit', () => reject(new Error('the holder of the token or passphrase ended before it was ready')));
    holder.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      said += chunk;
      if (said.includes('ready\n')) resolve();
    });
  });
  // Nothing of ours may keep this process waiting for the holder, should execve fail.
  holder.removeAllListeners('exit');
  holder.stdout.destroy();
  holder.unref();
  return name;
}

/** Takes the values the holder named `name` serves; it ends once they are read. */
export async function takeHeldValues(name: string): Promise<Record<string, string>> {
  const lost = new VaultError('the token or passphrase handed over while agent-vault re-executed itself was lost', 'run the command again');
  if (!NAME.test(name)) throw lost;
  const { connect } = await import('node:net');
  let text = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const socket = connect(`\0${name}`);
      socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      socket.once('end', resolve).once('error', reject);
    });
    const values: unknown = JSON.parse(text);
    if (!values || typeof values !== 'object' || Object.values(values).some((v) => typeof v !== 'string')) throw lost;
    return values as Record<string, string>;
  } catch {
    throw lost;
  }
}

/**
 * Re-executes agent-vault with the same arguments and `env` less HANDED_OVER, whose
 * `values` a holder passes on. Does not return: it either replaces this process or
 * throws (then nothing has changed but a holder that ends by itself).
 */
export async function reexecuteWithout(env: NodeJS.ProcessEnv, values: Readonly<Record<string, string>>): Promise<never> {
  const replace = execve();
  if (replace === undefined) throw new Error('process.execve is not available');
  const clean: NodeJS.ProcessEnv = { ...env, [HOLDER_VARIABLE]: await holdValues(values) };
  for (const name of HANDED_OVER) delete clean[name];
  return replace(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], clean);
}
