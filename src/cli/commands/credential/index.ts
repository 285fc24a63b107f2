import type { Command } from 'commander';
import type { Deps } from '../../command-kit.js';
import { registerAdd } from './add.js';
import { registerCopy } from './copy.js';
import { registerDelete } from './delete.js';
import { registerEdit } from './edit.js';
import { registerGet } from './get.js';
import { registerLifecycle } from './lifecycle.js';
import { registerList } from './list.js';
import { registerRotate } from './rotate.js';
import { registerSet } from './set.js';
import { registerUpdate } from './update.js';

export function registerCredential(program: Command, deps: Deps): void {
  const credential = program.command('credential').alias('cred').description('store, read and change credentials in a vault');
  registerSet(credential, deps);
  registerAdd(credential, deps);
  registerGet(credential, deps);
  registerList(credential, deps);
  registerUpdate(credential, deps);
  registerEdit(credential, deps);
  registerDelete(credential, deps);
  registerCopy(credential, deps);
  registerLifecycle(credential, deps);
  registerRotate(credential, deps);
}
