/**
 * The one module that writes audit logs: one JSON line per event, appended with
 * O_APPEND in a single write so concurrent appenders never interleave within a line.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { toAuditRecord, type AuditEvent } from '../core/audit-event.js';
import { FILE_MODE } from './atomic.js';

/** Appends `event` to the log at `path`, creating it 0600. */
export function appendAuditEvent(path: string, event: AuditEvent, now = new Date()): void {
  const line = Buffer.from(`${JSON.stringify(toAuditRecord(event, now, process.pid, hostname()))}\n`);
  const fd = openSync(path, 'a', FILE_MODE);
  try {
    writeSync(fd, line);
  } finally {
    closeSync(fd);
  }
}
