/**
 * Drives the built `agent-vault mcp` as an MCP client would: a spawned process, the
 * SDK's Client over its stdin and stdout. The transport keeps every raw line of the
 * server's stdout (to check that nothing but JSON-RPC is ever there) and its stderr.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Client, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/client';
import { BIN } from './cli.js';

/** A Transport over a child's stdio that records what the child wrote. */
class ChildTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: string[],
  ) {}

  async start(): Promise<void> {
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.lines.push(line);
      let message: JSONRPCMessage;
      try {
        message = JSON.parse(line) as JSONRPCMessage;
      } catch (err) {
        this.onerror?.(err as Error);
        return;
      }
      this.onmessage?.(message);
    });
    this.child.on('close', () => this.onclose?.());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  async close(): Promise<void> {
    this.child.stdin.end();
  }
}

/** A running server and a connected client. */
export interface McpRun {
  client: Client;
  child: ChildProcessWithoutNullStreams;
  /** Every line the server wrote to stdout so far. */
  stdoutLines: string[];
  stderr(): string;
  /** Closes the client and waits for the server to exit; returns its exit code. */
  stop(): Promise<number | null>;
}

/** Spawns `agent-vault mcp args…` with only `env` (and PATH) as its environment. */
export function spawnMcp(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcessWithoutNullStreams; stdoutLines: string[]; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'mcp', ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const errChunks: Buffer[] = [];
  child.stderr.on('data', (c: Buffer) => errChunks.push(c));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdoutLines: [], stderr: () => Buffer.concat(errChunks).toString('utf8'), exited };
}

/** Starts the server and connects the SDK's client to it (a 30 s timeout for a loaded machine). */
export async function startMcp(args: string[], env: NodeJS.ProcessEnv): Promise<McpRun> {
  const { child, stdoutLines, stderr, exited } = spawnMcp(args, env);
  const client = new Client({ name: 'vitest-mcp-client', version: '1.0.0' });
  await client.connect(new ChildTransport(child, stdoutLines), { timeout: 30_000 });
  return {
    client,
    child,
    stdoutLines,
    stderr,
    stop: async () => {
      await client.close();
      child.stdin.end();
      return exited;
    },
  };
}
