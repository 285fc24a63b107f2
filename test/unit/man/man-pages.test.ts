/**
 * The man pages render without a single groff warning, the format page states the
 * constants the code uses and, in its KEYS section, every HKDF info string of
 * src/format/keys.ts (so a format change cannot leave the page behind), and the
 * command page documents every command and option of the live program, with the exit
 * codes and environment variables the help topics print.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_TYPES, CREDENTIAL_TYPE_SPECS, envNames } from '../../../src/core/credential-types.js';
import { ENVIRONMENT, EXIT_CODES } from '../../../src/cli/help-topics.js';
import { testIO } from '../../../src/cli/io.js';
import { buildProgram } from '../../../src/cli/program.js';
import { KDF_BOUNDS } from '../../../src/format/kdf.js';
import { SESSION_VERSION } from '../../../src/format/session-file.js';
import { HKDF_INFO } from '../../../src/format/keys.js';
import { STORE_VERSION } from '../../../src/format/store-file.js';
import { VAULT_VERSION } from '../../../src/format/vault-file.js';
import { DEFAULT_LOCK_TIMEOUT_MS } from '../../../src/store/lock.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const MAN = join(ROOT, 'man');
const hasGroff = spawnSync('groff', ['--version']).status === 0;
const pages = readdirSync(MAN).filter((name) => /\.[1-8]$/.test(name));

function groff(args: string[], page: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('groff', [...args, join(MAN, page)], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(!hasGroff)('man pages', () => {
  it('include the format page', () => {
    expect(pages).toContain('agent-vault.5');
  });

  it('include the command page', () => {
    expect(pages).toContain('agent-vault.1');
  });

  it.each(pages)('%s renders with every groff warning enabled and none raised', (page) => {
    const result = groff(['-man', '-ww', '-z'], page);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('agent-vault.5 states the versions, info strings and bounds the code uses', () => {
    // One long line per paragraph and no hyphenation, so phrases can be searched for.
    const text = groff(['-man', '-Tutf8', '-P-cbou', '-rLL=1000n', '-rHY=0'], 'agent-vault.5').stdout.replace(/\s+/g, ' ');
    const phrases = [
      STORE_VERSION,
      VAULT_VERSION,
      `"${VAULT_VERSION} slot owner agent"`,
      `"${VAULT_VERSION} slot token agent"`,
      `"${VAULT_VERSION} block agent"`,
      SESSION_VERSION,
      '"agent-vault rekey journal v1 next TIME"',
      'journals/_rekey.journal',
      `${KDF_BOUNDS.memoryKiB.min}..${KDF_BOUNDS.memoryKiB.max}`,
      `passes in ${KDF_BOUNDS.iterations.min}..${KDF_BOUNDS.iterations.max}`,
      `lanes in ${KDF_BOUNDS.parallelism.min}..${KDF_BOUNDS.parallelism.max}`,
      `(default ${DEFAULT_LOCK_TIMEOUT_MS / 1000})`,
      'AUDIT LOG',
      'GRANTS',
    ];
    for (const phrase of phrases) expect(text, phrase).toContain(phrase);
  });

  it("agent-vault.5's KEYS section names every HKDF info string of keys.ts, in quotes", () => {
    const keys = sectionText(renderAscii('agent-vault.5'), 'KEYS').replace(/\s+/g, ' ');
    for (const info of infoStrings()) expect(keys, info).toContain(`"${info}"`);
  });

  it('agent-vault.5 quotes no agent-vault/v1 string but the info strings of keys.ts, the slot AAD, the listing AAD and the block AAD', () => {
    const text = renderAscii('agent-vault.5').replace(/\s+/g, ' ');
    const quoted = new Set([...text.matchAll(/"(agent-vault\/v\d+ [^"]*)"/g)].map((m) => m[1]));
    const aads = ['slot owner', 'slot token', 'listing', 'block'].map((what) => `${VAULT_VERSION} ${what} agent`);
    expect([...quoted].sort()).toEqual([...infoStrings(), ...aads].sort());
  });

  it('agent-vault.1 has an EXIT STATUS entry for each exit code, worded as help exit-codes words it', () => {
    const section = sectionText(renderAscii('agent-vault.1'), 'EXIT STATUS');
    // A row is a tag line ("       2      usage: …") and its indented continuation lines,
    // up to the blank line after it.
    const rows = [...section.matchAll(/^ {7}(\d+) +(.*(?:\n {8,}\S.*)*)/gm)].map((m) => ({ code: Number(m[1]), meaning: m[2]!.replace(/\s+/g, ' ') }));
    expect(rows).toEqual(EXIT_CODES.map(({ code, meaning }) => ({ code, meaning })));
  });

  it('agent-vault.1 lists exactly the environment variables of help environment', () => {
    const source = readFileSync(join(MAN, 'agent-vault.1'), 'utf8');
    const section = source.slice(source.indexOf('\n.SH ENVIRONMENT\n'), source.indexOf('\n.SH FILES\n'));
    const tags = [...section.matchAll(/^\.TP\n\.B (\S+)$/gm)].map((m) => m[1]);
    expect(tags).toEqual(ENVIRONMENT.map((r) => r.name));
  });

  it.each(CREDENTIAL_TYPE_SPECS.map((spec) => [spec.name, spec] as const))(
    'agent-vault.1 describes %s under CREDENTIAL TYPES as the type table does',
    (name, spec) => {
      const entries = credentialTypeEntries();
      expect([...entries.keys()].sort()).toEqual([...CREDENTIAL_TYPES].sort());
      const entry = entries.get(name)!;
      const description = `${spec.description[0]!.toUpperCase()}${spec.description.slice(1)}.`;
      expect(entry.startsWith(description), `${name} starts with: ${description}`).toBe(true);
      // Each field in table order, with "(secret…" after a secret one and "main" in the parenthesis of the first.
      let rest = entry.slice(description.length);
      spec.fields.forEach((field, i) => {
        const match = new RegExp(`\\b${field.name}\\b(?: \\(([^)]*)\\))?`).exec(rest);
        expect(match, `${name} field ${field.name}, after the fields before it`).not.toBeNull();
        const note = match![1] ?? '';
        expect(/^secret\b/.test(note), `${name} ${field.name} marked secret`).toBe(field.secret);
        expect(/\bmain\b/.test(note), `${name} ${field.name} marked main`).toBe(i === 0);
        rest = rest.slice(match!.index + match![0].length);
      });
      expect(/\bURIs\b/.test(entry.slice(description.length)), `${name} mentions URIs`).toBe(spec.uris);
      const variables = /\bVariables?: (.+)\.$/.exec(entry)?.[1]?.split(', ');
      expect(variables).toEqual(envNames(spec, 'KEY').map((v) => v.name));
    },
  );

  it("agent-vault.1 names the types by exec's rule, and those whose main secret is needed off a terminal", () => {
    const text = renderAscii('agent-vault.1', { longLines: true });
    const oneVariable = CREDENTIAL_TYPE_SPECS.filter((t) => t.env === 'KEY').map((t) => t.name);
    expect(typesIn(/: an? ([^;:]+?) gives one variable named by its key/.exec(text)?.[1])).toEqual(oneVariable);
    expect(typesIn(/; an? ([^;:]+?) gives KEY_FIELD for each field/.exec(text)?.[1])).toEqual(CREDENTIAL_TYPE_SPECS.filter((t) => t.env === 'KEY_FIELD').map((t) => t.name));
    // collectInput asks for the main secret, and without a terminal refuses to go on without it when it is the only field.
    const needed = CREDENTIAL_TYPE_SPECS.filter((t) => t.fields.length === 1 && t.fields[0]!.secret).map((t) => t.name);
    expect(typesIn(/without a terminal the main secret of (.+?) is required/.exec(text)?.[1])).toEqual(needed);
    expect(typesIn(/-t, --type type\s+(.+?) \(the default\)/.exec(text)?.[1])).toEqual([...CREDENTIAL_TYPES]);
  });

  it('agent-vault.5 lists every type, those with URIs, and the fields of each in table order', () => {
    const text = renderAscii('agent-vault.5', { longLines: true });
    expect(typesIn(/\btype +One of (.+?)\./.exec(text)?.[1])).toEqual([...CREDENTIAL_TYPES]);
    expect(typesIn(/uris is empty for every type but (.+?)\)/.exec(text)?.[1])).toEqual(CREDENTIAL_TYPE_SPECS.filter((t) => t.uris).map((t) => t.name));
    const parts = /The fields of each type, main secret first: (.+?)\. An absent field/.exec(text.replace(/\s+/g, ' '))?.[1]?.split('; ') ?? [];
    const byType = new Map(parts.map((part) => [part.split(' ')[0]!, part.slice(part.indexOf(' ') + 1)]));
    expect([...byType.keys()].sort()).toEqual([...CREDENTIAL_TYPES].sort());
    for (const spec of CREDENTIAL_TYPE_SPECS) {
      // The field names, leaving out remarks in parentheses and the "and" before the last.
      const names = [...byType.get(spec.name)!.replace(/\([^)]*\)/g, '').matchAll(/\b[a-z][a-z0-9_]*\b/g)].map((m) => m[0]).filter((word) => word !== 'and');
      expect(names, spec.name).toEqual(spec.fields.map((f) => f.name));
    }
  });

  it('agent-vault.1 has a subsection for every command path, naming each of its long options', () => {
    const sections = commandSections(readFileSync(join(MAN, 'agent-vault.1'), 'utf8'));
    const globals = sections.get('GLOBAL OPTIONS');
    expect(globals).toBeDefined();
    const commands = walk(program());
    expect(commands.length).toBeGreaterThan(20);
    for (const { path, command } of commands) {
      const name = path.length === 0 ? 'GLOBAL OPTIONS' : path.join(' ');
      // Groups with only subcommands (token, credential, grant's list, config) need no text of their own.
      const text = sections.get(name) ?? (command.options.length === 0 && command.commands.length > 0 ? '' : undefined);
      expect(text, `a subsection .SS ${name}`).toBeDefined();
      for (const option of command.options) {
        if (option.long) expect(text, `${name} ${option.long}`).toMatch(new RegExp(`${option.long}(?![a-z-])`));
        if (option.short) expect(text, `${name} ${option.short}`).toMatch(new RegExp(`${option.short}(?![a-z-])`));
      }
      for (const alias of command.aliases()) expect(text, `${name} alias ${alias}`).toMatch(new RegExp(`\\b${alias}\\b`));
    }
  });
});

/** The info strings of keys.ts, an agent id spelled "agent" as the page spells it. */
function infoStrings(): string[] {
  return Object.values(HKDF_INFO).map((info) => (typeof info === 'function' ? info('agent') : info));
}

function program(): Command {
  return buildProgram({ io: testIO(), argv: [], setExitCode: () => {} }, { json: false, version: '0.0.0' });
}

/** Every command of the program with its path; the root's path is empty. */
function walk(command: Command, path: string[] = []): Array<{ path: string[]; command: Command }> {
  return [{ path, command }, ...command.commands.flatMap((sub) => walk(sub, [...path, sub.name()]))];
}

/** The page as plain ASCII text, never hyphenated; with `longLines`, one line per paragraph. */
function renderAscii(page: string, { longLines = false } = {}): string {
  return groff(['-man', '-Tascii', '-P-cbou', '-rHY=0', ...(longLines ? ['-rLL=1000n'] : [])], page).stdout;
}

/** The credential types a phrase names, in the order the type table has them, each once. */
function typesIn(phrase: string | undefined): string[] {
  expect(phrase, 'the phrase naming the types').toBeDefined();
  return CREDENTIAL_TYPES.filter((type) => new RegExp(`\\b${type}\\b`).test(phrase!));
}

/** The entries of agent-vault.1's CREDENTIAL TYPES, by tag, each as one line of text. */
function credentialTypeEntries(): Map<string, string> {
  const section = sectionText(renderAscii('agent-vault.1', { longLines: true }), 'CREDENTIAL TYPES');
  // A tagged paragraph: the tag at the left margin, its text after two spaces or on the next, deeper indented line.
  return new Map([...section.matchAll(/^ {7}([a-z_]+)(?: {2,}|\n {14})(.+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

/** The lines of a rendered section, up to the next heading. */
function sectionText(text: string, heading: string): string {
  const start = text.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(0);
  const rest = text.slice(start + heading.length + 2);
  const end = rest.search(/^[A-Z]/m);
  return end < 0 ? rest : rest.slice(0, end);
}

/**
 * The roff source's subsections of COMMANDS by heading, and GLOBAL OPTIONS, as plain
 * text: escaped minus signs become hyphens and font changes are dropped.
 */
function commandSections(source: string): Map<string, string> {
  const plain = source.replace(/\\-/g, '-').replace(/\\f[BIRP]/g, '').replace(/\\&/g, '');
  const sections = new Map<string, string>();
  const global = /^\.SH "?GLOBAL OPTIONS"?$([\s\S]*?)^\.SH /m.exec(plain);
  if (global) sections.set('GLOBAL OPTIONS', global[1]!);
  const commands = /^\.SH COMMANDS$([\s\S]*?)^\.SH /m.exec(plain)?.[1] ?? '';
  for (const part of commands.split(/^\.SS /m).slice(1)) {
    const newline = part.indexOf('\n');
    sections.set(part.slice(0, newline).replace(/^"|"$/g, ''), part.slice(newline + 1));
  }
  return sections;
}
