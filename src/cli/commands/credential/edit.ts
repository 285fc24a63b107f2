/**
 * `credential edit KEY`: the credential as a document (core/edit-document.ts) in the
 * user's editor (cli/editor.ts); what the document changes is applied in one write, if
 * the credential did not change meanwhile. Also what `credential update KEY` runs on a
 * terminal when no flag says what to change.
 */
import type { Command } from 'commander';
import { UsageError, VaultError } from '../../../core/errors.js';
import { editChanges, parseDocument, renderDocument } from '../../../core/edit-document.js';
import { escapeControls } from '../../../core/terminal-text.js';
import { applyEdit, openForEdit } from '../../../app/edit.js';
import type { Session } from '../../../app/session.js';
import { Context } from '../../context.js';
import { examples, type Deps } from '../../command-kit.js';
import { notice, printJson } from '../../render.js';

export function registerEdit(credential: Command, { io }: Deps): void {
  const command = credential
    .command('edit')
    .description('change a credential as a document in $VISUAL or $EDITOR (vi): every field, multi-line notes, the key, name, tags and URIs')
    .argument('<KEY|id>', 'the credential key or id')
    .action((key: string, _options: unknown, cmd: Command) => runEdit(Context.of(io, cmd), key));
  examples(command, [
    'agent-vault credential edit GITHUB --agent researcher',
    'EDITOR="code --wait" agent-vault credential edit SSH_NOTES',
    'agent-vault credential update GITHUB       # on a terminal, with no flags: the same editor',
  ]);
}

/** Problem lines start with `#!`: the ones of an earlier try are dropped before new ones go above the document. */
function withProblem(text: string, problem: VaultError): string {
  const lines = [`Not applied: ${problem.message}`, ...(problem.hint ? [`(${problem.hint})`] : []), 'Correct the document, or empty it to change nothing.'];
  const rest = text.split('\n');
  while (rest[0]?.startsWith('#!')) rest.shift();
  return [...lines.map((line) => `#! ${escapeControls(line).replace(/[\r\n]+/g, ' ')}`), ...rest].join('\n');
}

/** `opened`: the session `credential update` already opened, so the passphrase is not asked twice. */
export async function runEdit(ctx: Context, keyOrId: string, opened?: Session): Promise<void> {
  const { io } = ctx;
  // vi needs a terminal; a command in VISUAL or EDITOR (a script, sed -i) may not.
  if (!io.isStdinTTY && !io.env.VISUAL?.trim() && !io.env.EDITOR?.trim()) {
    throw new UsageError('credential edit needs a terminal for the editor, or an editor command in VISUAL or EDITOR', 'change fields with agent-vault credential update KEY --FIELD…, or set EDITOR');
  }
  const session = opened ?? (await ctx.session());
  const agent = ctx.agent(session);
  const original = await openForEdit(session, agent, keyOrId);
  const { editText } = await import('../../editor.js');
  let text = renderDocument(original, agent);
  // What the document says, applied; a usage error (an invalid document, a new key that
  // is taken) comes before anything is written, so on a terminal it can be edited again.
  const apply = async (edited: string): Promise<void> => {
    const parsed = parseDocument(edited, original.type);
    const change = parsed === undefined ? undefined : editChanges(original, parsed);
    if (change === undefined) {
      notice(io, ctx.mode, parsed === undefined ? 'the document is empty: nothing was changed' : `no changes to ${original.key}`);
      if (ctx.mode.json) printJson(io, { agent, id: original.id, key: original.key, type: original.type, changed: false });
      return;
    }
    const credential = await applyEdit(session, agent, original, change);
    if (ctx.mode.json) printJson(io, { agent, id: credential.id, key: credential.key, type: credential.type, updated: credential.updated, changed: true });
    else notice(io, ctx.mode, `updated ${credential.key} in the vault of ${agent}`);
  };
  for (;;) {
    text = await editText(io, text, `${original.key}.txt`);
    try {
      return await apply(text);
    } catch (err) {
      if (!(err instanceof UsageError) || !io.canPrompt()) throw err;
      io.err(`error: ${escapeControls(err.message)}\n`);
      if (!(await (await io.prompter()).confirm('Edit the document again?', { default: true }))) throw err;
      text = withProblem(text, err);
    }
  }
}
