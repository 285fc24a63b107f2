// A stand-in for process.execve on a Node without it (before 22.15), loaded with
// `node --import` by one end-to-end test: it runs the new image as a child, with the
// same stdio and the environment given, and exits with its status. It is not the same
// process (another pid), so that test proves the hand-over and what the environment
// holds, not that the pid stays; on a Node with process.execve it changes nothing.
import { spawnSync } from 'node:child_process';

if (typeof process.execve !== 'function') {
  process.execve = (file, args, env) => {
    const result = spawnSync(file, args.slice(1), { env, stdio: 'inherit', argv0: args[0] });
    process.exit(result.status ?? 1);
  };
}
