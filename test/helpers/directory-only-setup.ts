/** Setup file of the `*-pg` projects: skips the tests directory-only.ts lists, saying why. */
import { beforeEach } from 'vitest';
import { DIRECTORY_ONLY } from './directory-only.js';

beforeEach((context) => {
  const file = context.task.file.name;
  const names: string[] = [];
  for (let suite = context.task.suite; suite && suite.type === 'suite'; suite = suite.suite) if (suite.name) names.unshift(suite.name);
  const full = [...names, context.task.name].join(' > ');
  const listed = DIRECTORY_ONLY.find(([f, name]) => file === f && full.startsWith(name));
  if (listed) context.skip(`directory only: ${listed[2]}`);
});
