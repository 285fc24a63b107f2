/**
 * The fault-injection harness: runs a command of the test bundle (dist/test/cli-faults.cjs)
 * once to count its write points, then once per point with a SIGKILL before it and once
 * with ENOSPC at it, each time on a fresh copy of a prepared store, and checks what the
 * next commands find: `audit verify` passes (the next owner command finishes or undoes an
 * interrupted change first), every vault opens, a write that was acknowledged (exit 0)
 * is there, and the command run again succeeds. Each write of audit lines is also torn in
 * the middle: with ENOSPC (`short:N`: half the lines' bytes written, then ENOSPC), as a
 * disk that fills up mid-append does, a batch of lines cut in two must leave a log that
 * verifies; with SIGKILL (`tear:N`: half written, then killed), as a crash mid-append
 * does, the log may keep a prefix of the batch, the last line torn, and `audit verify`
 * must report that torn line and nothing else, before and after the command runs again.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithFault, type RunResult as SpawnResult } from './cli.js';
import { PASSPHRASE, TempStore as InProcessStore } from './in-process.js';

/** A prepared store: its directory and the agents' tokens at the time it was made. */
export interface Prepared {
  dir: string;
  tokens: Record<string, string>;
}

/** One command as the harness drives it. */
export interface FaultCase {
  name: string;
  /** The command line, or one made for each run's store (a file of its own). */
  args: string[] | ((store: InProcessStore) => string[]);
  input?: string;
  /** Run as this agent's token (else the owner). */
  as?: string;
  /** More environment for every run of the command (an EDITOR for `credential edit`). */
  env?: NodeJS.ProcessEnv;
  /** What an acknowledged run must have left, checked in process on the store afterwards (`run`: what it printed). */
  acknowledged?: (store: InProcessStore, prepared: Prepared, run: SpawnResult) => Promise<void>;
  /** What a run that was killed or failed may have left, and printed, checked the same way. */
  interrupted?: (store: InProcessStore, run: SpawnResult) => Promise<void>;
  /** What must hold once the second run has finished too, whatever the first did. */
  settled?: (store: InProcessStore) => Promise<void>;
  /** The exit statuses a second run may end with (default 0). */
  again?: number[];
  /** The exit status of a run without faults (default 0). */
  status?: number;
  /** `init`: there is no store to check until the command has run again. */
  createsStore?: boolean;
  /**
   * Passphrases besides the store's own that may open it after a run (passwd's new
   * one): the checks and the second run use whichever opens it, and exactly one must.
   */
  passphrases?: string[];
  /**
   * Drive every `stride`-th write point only (the first and the last always), starting
   * at a random offset: for a command with hundreds of points, whose every run is
   * minutes of spawned processes. Which points ran is printed, so a failure can be
   * driven again.
   */
  stride?: number;
}

/** Counts of what was driven, for the report. */
export interface HarnessCount {
  points: number;
  pairs: number;
}

/**
 * What a group's cases need besides the common store, made on it in process (the
 * store's TestClock may be moved) with the agents' tokens at hand: ids it makes can be
 * kept for the cases, whose `args` may be a function read at each run.
 */
export type ExtraSetup = (store: InProcessStore, tokens: Readonly<Record<string, string>>) => Promise<void>;

/** Makes a store for the cases: init, three agents, two credentials and a grant, then `extra`. */
export async function prepareStore(extra?: ExtraSetup): Promise<{ prepared: Prepared; cleanup: () => void }> {
  const store = new InProcessStore();
  await store.init();
  const tokens: Record<string, string> = {};
  for (const agent of ['granter', 'reader', 'bystander']) tokens[agent] = await store.provision(agent);
  for (const [key, value] of [
    ['API_KEY', 'granted-value'],
    ['OTHER', 'other-value'],
  ]) {
    expect((await store.owner(['credential', 'set', `${key}=-`, '--agent', 'granter'], { input: value! })).code).toBe(0);
  }
  expect((await store.owner(['credential', 'add', 'SITE', '--type', 'login', '--username', 'u', '--totp-stdin', '--agent', 'granter'], { input: 'JBSWY3DPEHPK3PXP' })).code).toBe(0);
  expect((await store.owner(['grant', 'API_KEY', '--to', 'reader', '--agent', 'granter'])).code).toBe(0);
  await extra?.(store, tokens);
  return { prepared: { dir: store.dir, tokens }, cleanup: () => store.cleanup() };
}

/** An in-process store over a copy of `prepared` (no store at all for an empty `dir`). */
function copyOf(prepared: Prepared): InProcessStore {
  const store = new InProcessStore();
  if (prepared.dir !== '') cpSync(prepared.dir, store.dir, { recursive: true });
  return store;
}

/** A file's text, '' when it is missing. */
function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function lines(path: string): string[] {
  return readText(path).split('\n').filter(Boolean);
}

/**
 * The environment of the one passphrase, of the store's own and `others`, that opens the
 * store: a passphrase file, as the owner's runs use. Exactly one opens it.
 */
async function openingPassphrase(store: InProcessStore, others: string[], what: string): Promise<NodeJS.ProcessEnv> {
  if (others.length === 0) return {};
  const opening: string[] = [];
  for (const [i, passphrase] of [PASSPHRASE, ...others].entries()) {
    const file = join(store.root, `passphrase-${i}`);
    writeFileSync(file, `${passphrase}\n`, { mode: 0o600 });
    if ((await store.run(['credential', 'list', '-a', 'granter'], { env: { AGENT_VAULT_PASSPHRASE_FILE: file } })).code !== 4) opening.push(file);
  }
  expect(opening.length, `${what}: the passphrases that open the store`).toBe(1);
  return { AGENT_VAULT_PASSPHRASE_FILE: opening[0] };
}

/** A line a `tear` run left torn at the end of a log: its line number and its text. */
interface TornLine {
  line: number;
  text: string;
}

/** The torn last line of the log `file`, if it has one. */
function tornLineOf(file: string): TornLine | undefined {
  const all = readText(file).split('\n');
  const last = all.at(-1)!;
  return last === '' ? undefined : { line: all.length, text: last };
}

/** The audit logs of the store in `dir`, wherever they are (retired ones included). */
function auditLogs(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('audit.jsonl'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** How many lines the audit logs of the store in `dir` hold. */
function auditLineCount(dir: string): number {
  return auditLogs(dir).reduce((count, file) => count + lines(file).length, 0);
}

/**
 * `audit verify` passes and every vault opens; with `torn`, verify reports exactly that
 * line, in the log that holds it now (deprovisioning may have retired the log under
 * another name), as long as one does (a recovery may have discarded the whole log).
 */
async function expectWhole(store: InProcessStore, what: string, env: NodeJS.ProcessEnv = {}, torn?: TornLine): Promise<void> {
  const verify = await store.owner(['audit', 'verify', '--json'], { env });
  const problems = (JSON.parse(verify.stdout || '{"logs":[]}') as { logs: Array<{ file: string; problems: Array<{ line?: number; message: string }> }> }).logs.flatMap((l) =>
    l.problems.map((p) => `${l.file}:${p.line ?? ''} ${p.message}`),
  );
  const holder = torn && auditLogs(store.dir).find((file) => readText(file).split('\n')[torn.line - 1] === torn.text);
  if (holder !== undefined) {
    expect({ code: verify.code, problems }, `${what}: audit verify`).toEqual({ code: 6, problems: [expect.stringMatching(new RegExp(`^${escapeRegExp(`${holder}:${torn!.line} `)}.*torn by a crash`))] });
  } else {
    expect({ code: verify.code, problems, stderr: verify.code === 0 ? '' : verify.stderr }, `${what}: audit verify`).toEqual({ code: 0, problems: [], stderr: '' });
  }
  // With the passphrase given, status opens every vault to count its credentials.
  const status = await store.owner(['status', '--json'], { env });
  expect(status.code, `${what}: status`).toBe(0);
  for (const row of JSON.parse(status.stdout) as Array<{ agent: string; damaged?: boolean; credential_count?: number }>) {
    expect({ damaged: row.damaged, opened: row.credential_count !== undefined }, `${what}: the vault of ${row.agent}`).toEqual({ damaged: undefined, opened: true });
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Drives `fault` (`kill` or `enospc`) through every write point of `c`, and through
 * every write of an audit log's lines `tear` (with `kill`) and `short` (with `enospc`).
 */
export async function driveFaults(prepared: Prepared, c: FaultCase, faults: Array<'kill' | 'enospc'>): Promise<HarnessCount> {
  const scratch = mkdtempSync(join(tmpdir(), 'agent-vault-faults-'));
  try {
    const argsOf = (store: InProcessStore): string[] => (typeof c.args === 'function' ? c.args(store) : c.args);
    const run = (store: InProcessStore, fault: string, trace?: string): Promise<SpawnResult> =>
      runWithFault(argsOf(store), fault, {
        baseEnv: store.env,
        env: { ...c.env, ...(c.as === undefined ? { AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile } : { AGENT_VAULT_TOKEN: prepared.tokens[c.as]! }) },
        ...(c.input === undefined ? {} : { input: c.input }),
        ...(trace === undefined ? {} : { trace }),
      });
    const counting = copyOf(prepared);
    const trace = join(scratch, 'trace');
    const linesBefore = c.createsStore ? 0 : auditLineCount(counting.dir);
    const clean = await run(counting, 'trace', trace);
    expect(clean.code, `${c.name}: a run without faults: ${clean.stderr}`).toBe(c.status ?? 0);
    const wroteAuditLines = auditLineCount(counting.dir) > linesBefore;
    const labels = lines(trace);
    const points = labels.length;
    counting.cleanup();
    expect(points, `${c.name} writes`).toBeGreaterThan(0);
    let pairs = 0;
    const stride = c.stride ?? 1;
    const offset = stride > 1 ? 2 + Math.floor(Math.random() * (stride - 1)) : 2;
    const chosen = [1, ...Array.from({ length: points }, (_, i) => i + 1).filter((n) => n >= offset && (n - offset) % stride === 0), points].filter((n, i, all) => all.indexOf(n) === i && n <= points);
    if (stride > 1) console.log(`fault harness: ${c.name}: write points ${chosen.join(',')} of ${points}`);
    // Every write of audit lines, whatever the stride: a command has few, and a torn batch is what they risk.
    // The store's log (audit.jsonl), agents' (<agent>.audit.jsonl) and retired ones.
    const lineWrites = labels.flatMap((label, i) => (/^write .*audit\.jsonl$/.test(label) ? [i + 1] : []));
    // A command that wrote audit lines must have had its line writes found, or a renamed label would drop their tearing silently.
    if (wroteAuditLines) expect(lineWrites.length, `${c.name}: writes of audit lines among its write points`).toBeGreaterThan(0);
    const runs: Array<['kill' | 'enospc' | 'short' | 'tear', number]> = [
      ...faults.flatMap((fault) => chosen.map((n): [typeof fault, number] => [fault, n])),
      ...(faults.includes('enospc') ? lineWrites.map((n): ['short', number] => ['short', n]) : []),
      ...(faults.includes('kill') ? lineWrites.map((n): ['tear', number] => ['tear', n]) : []),
    ];
    for (const [fault, n] of runs) {
      const what = `${c.name}, ${fault} at write point ${n} of ${points}`;
      const store = copyOf(prepared);
      try {
        const faulted = await run(store, `${fault}:${n}`);
        // The log the torn write went to, in this run's copy of the store.
        const torn = fault === 'tear' ? tornLineOf(join(store.dir, relative(counting.dir, labels[n - 1]!.slice('write '.length)))) : undefined;
        if (fault === 'kill' || fault === 'tear') expect(faulted.signal, what).toBe('SIGKILL');
        else expect([c.status ?? 0, 1], `${what}: exit ${faulted.code}: ${faulted.stderr}`).toContain(faulted.code);
        if (faulted.code === 0 && !faulted.signal) await c.acknowledged?.(store, prepared, faulted);
        else await c.interrupted?.(store, faulted);
        const opening = c.createsStore ? {} : await openingPassphrase(store, c.passphrases ?? [], what);
        if (!c.createsStore) await expectWhole(store, what, opening, torn);
        const args = argsOf(store);
        const again = await (c.as === undefined ? store.owner(args, { input: c.input ?? '', env: { ...c.env, ...opening } }) : store.agent(prepared.tokens[c.as]!, args, { input: c.input ?? '', env: { ...c.env } }));
        expect(c.again ?? [0], `${what}: run again: exit ${again.code}: ${again.stderr}`).toContain(again.code);
        await expectWhole(store, `${what}, then run again`, await openingPassphrase(store, c.passphrases ?? [], `${what}, then run again`), torn);
        await c.settled?.(store);
        pairs += 1;
      } finally {
        store.cleanup();
      }
    }
    return { points, pairs };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The test of one group of cases: a prepared store, then each case driven through
 * SIGKILL and ENOSPC at every write point, and the number of runs printed at the end.
 */
export function describeFaults(group: string, cases: FaultCase[], extra?: ExtraSetup): void {
  describe(`${group} under SIGKILL and ENOSPC at every write point`, () => {
    let prepared: Prepared;
    let cleanup: () => void;
    let runs = 0;
    beforeAll(async () => {
      ({ prepared, cleanup } = await prepareStore(extra));
    });
    afterAll(() => {
      cleanup();
      console.log(`fault harness: ${runs} (command, point, fault) runs over ${group}`);
    });

    // Hundreds of spawned runs each: minutes on a loaded 2-core machine, not the default minute.
    it.each(cases)('$name', async (c) => {
      runs += (await driveFaults(c.createsStore ? { dir: '', tokens: {} } : prepared, c, ['kill', 'enospc'])).pairs;
    }, 900_000);
  });
}
