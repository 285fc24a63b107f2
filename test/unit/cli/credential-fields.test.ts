/**
 * The field flags of `credential add` and `credential update` come from the type table:
 * none may be taken for a global option or another option of the command, and each one
 * puts its value into its field.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import type { CredentialType } from '../../../src/core/credential.js';
import { CREDENTIAL_TYPE_SPECS, checkTypeRegistry, fieldFlags, fieldOptions, type TypeSpec } from '../../../src/core/credential-types.js';
import { UsageError } from '../../../src/core/errors.js';
import { addFieldOptions, collectInput, hasFieldInput } from '../../../src/cli/credential-fields.js';
import { testIO } from '../../../src/cli/io.js';
import { buildProgram } from '../../../src/cli/program.js';

const program = buildProgram({ io: testIO(), argv: [], setExitCode: () => {} }, { json: false, version: '0.0.0' });
const longFlags = (command: Command): string[] => command.options.flatMap((o) => (o.long ? [o.long] : []));
const subcommand = (...path: string[]): Command => path.reduce((c, name) => c.commands.find((s) => s.name() === name)!, program);
const globalFlags = [...longFlags(program), '--help'];
const derivedFlags = fieldOptions().flatMap((f) => Object.values(f.flags) as string[]);

describe('the derived field flags', () => {
  it.each([['add'], ['update']])('are options of credential %s, and collide with no global option or other option of it', (name) => {
    const command = subcommand('credential', name);
    const own = longFlags(command);
    for (const flag of derivedFlags) expect(own).toContain(flag);
    expect(() => checkTypeRegistry(CREDENTIAL_TYPE_SPECS, [...globalFlags, ...own.filter((f) => !derivedFlags.includes(f))])).not.toThrow();
  });

  it('are kebab-case', () => {
    for (const flag of derivedFlags) expect(flag).toMatch(/^--[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
  });

  it("would report a secret field passphrase, whose flags are the program's owner passphrase options", () => {
    const wallet: TypeSpec = { name: 'wallet', description: 'a wallet', uris: false, env: 'KEY', fields: [{ name: 'passphrase', secret: true, label: 'Passphrase', optional: false }] };
    expect(globalFlags).toContain('--passphrase-file');
    expect(() => checkTypeRegistry([...CREDENTIAL_TYPE_SPECS, wallet], globalFlags)).toThrow(/--passphrase-file of field passphrase is already an option of the program/);
  });
});

describe('collectInput', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agent-vault-fields-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'value');
  writeFileSync(file, 'from-file\n');

  /** Every way each field of each type can be given, with the value it should end up with. */
  const cases = CREDENTIAL_TYPE_SPECS.flatMap((spec) =>
    spec.fields.flatMap((field) => {
      const { value, stdin, file: fileFlag } = fieldFlags(field);
      const type = spec.name as CredentialType;
      return [
        ...(value ? [{ type, field: field.name, args: [value, 'from-argv'], stdin: '', expected: 'from-argv' }] : []),
        ...(stdin ? [{ type, field: field.name, args: [stdin], stdin: 'from-stdin\n', expected: 'from-stdin' }] : []),
        ...(fileFlag ? [{ type, field: field.name, args: [fileFlag, file], stdin: '', expected: 'from-file' }] : []),
      ];
    }),
  );

  const parse = (args: string[]) => addFieldOptions(new Command('x').exitOverride()).parse(args, { from: 'user' }).opts();

  it.each(cases.map((c) => [c.type, c.field, c.args[0]!, c] as const))('%s %s from %s', async (type, field, _flag, c) => {
    const options = parse(c.args);
    expect(hasFieldInput(options)).toBe(true);
    const { input } = await collectInput(testIO({ stdin: c.stdin }), options, type, { promptForMain: false });
    expect(input.fields).toEqual({ [field]: c.expected });
  });

  it('sees no field input when no option is given', () => {
    expect(hasFieldInput(parse([]))).toBe(false);
  });

  it('refuses a secret given two ways, and a field of another type', async () => {
    await expect(collectInput(testIO({ stdin: 'x' }), parse(['--password-stdin', '--password-file', file]), 'login', { promptForMain: false })).rejects.toThrow('give the password one way only');
    await expect(collectInput(testIO(), parse(['--cvv-file', file]), 'login', { promptForMain: false })).rejects.toThrow(UsageError);
  });

  it('off a terminal needs the main secret of a one-field type only', async () => {
    await expect(collectInput(testIO(), parse([]), 'api_key', { promptForMain: true })).rejects.toThrow('the value is needed and there is no terminal to ask on');
    await expect(collectInput(testIO(), parse(['--username', 'u']), 'login', { promptForMain: true })).resolves.toMatchObject({ input: { fields: { username: 'u' } } });
  });
});
