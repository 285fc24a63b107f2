import { lstatSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { renderTemplate, templateReferences } from '../../core/reference.js';
import { resolveReferences } from '../../app/references.js';
import { checkReplaceable, createFileWhole, replaceFile } from '../../store/atomic.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson } from '../render.js';
import { decodeText, readTextFile } from '../secret-input.js';

interface InjectOptions {
  inFile?: string;
  outFile?: string;
  force?: boolean;
  reveal?: boolean;
}

export function registerInject(program: Command, { io }: Deps): void {
  const command = program
    .command('inject')
    .description('render a template: replace each {{ av://<agent>/<KEY>[/<field>] }} with its value (all of them, or nothing is written)')
    .option('-i, --in-file <file>', 'the template (default: stdin)')
    .option('-o, --out-file <file>', 'write the result to this new file, 0600 (default: stdout)')
    .option('--force', 'with -o: replace the file if it exists')
    .option('--reveal', 'allow references to TOTP secrets (…/totp)')
    .action((options: InjectOptions, cmd: Command) => runInject(Context.of(io, cmd), options));
  examples(command, [
    'agent-vault inject -i config.yml.tpl -o config.yml     # config.yml.tpl: password: {{ av://web/DATABASE/password }}',
    'echo "token={{av://ci-bot/NPM_TOKEN}}" | agent-vault inject > .npmrc',
    'AGENT_VAULT_TOKEN_FILE=bot.token agent-vault inject -i app.env.tpl -o app.env --force',
  ]);
}

/** Whether something (a file, a link, anything) is at `path`; a link is not followed. */
function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new UsageError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}; nothing was written`);
  }
}

export async function runInject(ctx: Context, options: InjectOptions): Promise<void> {
  const { inFile, outFile } = options;
  if (options.force && outFile === undefined) throw new UsageError('--force goes with -o FILE');
  // A terminal on stdin would wait for a template typed by hand: more likely a forgotten -i.
  if (inFile === undefined && ctx.io.isStdinTTY) throw new UsageError('no template: stdin is a terminal', 'give one with -i TEMPLATE, or pipe it in: agent-vault inject < config.tpl');
  const source = inFile ?? 'stdin';
  const template = inFile === undefined ? decodeText(await ctx.io.readStdin('the template'), 'the template on stdin') : readTextFile(inFile, 'template');
  const references = templateReferences(template, source);
  // Refused before any value is read: nothing is decrypted for a file that cannot be written.
  const replacing = outFile !== undefined && exists(outFile);
  if (replacing && !options.force) throw new UsageError(`${outFile} already exists; nothing was written`, 'choose a new file name, or pass --force to replace it');
  // --force replaces a regular file only: a link or anything else there is refused (exit 6) now, not after the values are read.
  if (replacing) checkReplaceable(outFile!);
  // A template without references needs no proof of who is calling.
  const values = references.length === 0 ? [] : await resolveReferences(await ctx.session(), references.map((r) => r.reference), { reveal: options.reveal === true });
  const rendered = renderTemplate(template, references, values);
  if (outFile === undefined) {
    if (ctx.mode.json) printJson(ctx.io, { output: null, references: references.length, text: rendered });
    else ctx.io.out(rendered);
    return;
  }
  try {
    // Whole or not at all, 0600 from the start: a temp file beside it, then a link (new) or a rename (--force).
    if (replacing) replaceFile(outFile, Buffer.from(rendered), { backup: false });
    else createFileWhole(outFile, Buffer.from(rendered));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`${outFile} already exists; nothing was written`, 'choose a new file name, or pass --force to replace it');
    if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR') throw new UsageError(`cannot write ${outFile}: ${code}; nothing was written`);
    throw err;
  }
  if (ctx.mode.json) printJson(ctx.io, { output: outFile, references: references.length });
  else notice(ctx.io, ctx.mode, `wrote ${outFile} (${references.length} reference${references.length === 1 ? '' : 's'} resolved)`);
}
