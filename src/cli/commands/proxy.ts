import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { resolveExecEnv } from '../../app/exec.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson } from '../render.js';
import { readTextFile } from '../secret-input.js';

interface ProxyOptions {
  port?: string;
  denyUnmatched?: boolean;
  upstreamCa?: string;
}

export function registerProxy(program: Command, { io }: Deps): void {
  const command = program
    .command('proxy')
    .description('run the broker in the foreground for a program started elsewhere, printing the environment it needs as export lines')
    .option('--port <port>', 'listen on this port of 127.0.0.1 (default: a free one)')
    .option('--deny-unmatched', 'refuse (403) requests to hosts no service covers, instead of passing them through')
    .option('--upstream-ca <file>', 'also trust this PEM CA for upstreams (a private CA)')
    .action((options: ProxyOptions, cmd: Command) => runProxy(Context.of(io, cmd), options));
  examples(command, [
    'agent-vault proxy --token-file bot.token > broker.env &   # then, elsewhere: . ./broker.env; python agent.py',
    'agent-vault proxy --agent bot --port 8899 --deny-unmatched',
    'agent-vault proxy --json --token-file bot.token',
  ]);
}

/** A value quoted for a POSIX shell. */
const shellQuote = (text: string): string => `'${text.replaceAll("'", "'\\''")}'`;

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65535) throw new UsageError(`invalid --port ${JSON.stringify(text.slice(0, 20))}`, 'give a port from 1 to 65535');
  return port;
}

/** Waits for SIGINT or SIGTERM, then stops listening for them. */
function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop).on('SIGTERM', stop);
  });
}

export async function runProxy(ctx: Context, options: ProxyOptions): Promise<void> {
  const port = parsePort(options.port);
  const upstreamCa = options.upstreamCa === undefined ? undefined : readTextFile(options.upstreamCa, 'upstream CA file');
  const session = await ctx.session();
  const agent = ctx.agent(session);
  const { startBrokerRun } = await import('../broker-run.js');
  // Listening for signals before the server starts: an early Ctrl-C still removes the CA file.
  const stopped = untilStopped();
  const started = await startBrokerRun(session, agent, { denyUnmatched: options.denyUnmatched === true, ...(port === undefined ? {} : { port }), ...(upstreamCa === undefined ? {} : { upstreamCa }) });
  try {
    // The variables exec would set for the services' credentials, holding their placeholders.
    const { env: placeholders } = await resolveExecEnv(
      session,
      { vault: agent, only: [...started.run.placeholders.keys()], prefix: '', references: [], brokered: started.run.placeholders },
      'proxy',
    );
    const env = new Map([...started.run.env, ...placeholders]);
    if (ctx.mode.json) printJson(ctx.io, { agent, port: started.run.port, env: Object.fromEntries(env), unset: started.run.unset });
    else ctx.io.out(`${[...env].map(([name, value]) => `export ${name}=${shellQuote(value)}\n`).join('')}unset ${started.run.unset.join(' ')}\n`);
    notice(ctx.io, ctx.mode, `the broker for agent ${agent} listens on 127.0.0.1:${started.run.port}; stop it with Ctrl-C`);
    await stopped;
  } finally {
    await started.stop();
  }
}
