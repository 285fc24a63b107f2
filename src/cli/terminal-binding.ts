/**
 * What an owner session is bound to, as sudo binds its tickets (its `tty_tickets`):
 * the controlling terminal's device, the session id, and the start time of the session
 * leader, read from /proc. A process on another terminal, or one that left the session
 * with `setsid`, computes another binding and is refused; the leader's start time keeps
 * a session id reused after its shell ended from matching. Without a terminal (a
 * script, a CI job), the same facts name the login session the process runs in.
 */
import { readFileSync } from 'node:fs';

/** The fields of /proc/<pid>/stat after the command name, which may itself hold spaces and parentheses. */
function statFields(pid: string): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).trim().split(' ');
}

/**
 * The binding of this process, or undefined where there is no /proc to read it from
 * (then `unlock` refuses: a session nobody can bind is a bearer secret).
 */
export function terminalBinding(): string | undefined {
  try {
    // Fields 3 onwards of proc(5): state, ppid, pgrp, session, tty_nr, …, starttime (22).
    const self = statFields('self');
    const sid = self[3]!;
    const tty = self[4]!;
    let leaderStart = 'gone';
    try {
      leaderStart = statFields(sid)[19]!;
    } catch {
      // The leader has ended (or is in another pid namespace): the session id alone then.
    }
    let login = 'none';
    try {
      login = readFileSync('/proc/self/sessionid', 'utf8').trim();
    } catch {
      // No audit login session on this kernel.
    }
    return `tty=${tty} sid=${sid} leader-start=${leaderStart} login=${login}`;
  } catch {
    return undefined;
  }
}
