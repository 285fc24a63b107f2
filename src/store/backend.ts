/**
 * The storage interface: the only way `app/` reaches a store. A backend keeps opaque
 * objects named by id and audit logs as append streams with a head; it never sees a
 * key or a plaintext, and nothing above it knows whether the store is a directory, a
 * database or a bucket. Everything a backend holds is already encrypted or keyed, so
 * a backend is untrusted: `app/` authenticates every byte it reads.
 *
 * Writes are compare-and-swap against the generation a read returned, or create-only,
 * so two writers never lose each other's update whatever the backend. A backend that
 * can serialise writers cheaply (a lock file) also offers {@link StorageBackend.exclusive},
 * which makes the compare-and-swap succeed the first time; one that cannot (a remote
 * database) may run the section without a lock, and `app/` retries on a conflict.
 */
import { checkAgentId, checkCredentialKey } from '../core/ids.js';
import type { LogTail } from '../format/audit-append.js';
import { checkProposalId } from '../format/proposal-file.js';
import type { VaultFileBytes } from '../format/vault-file.js';

/** An object's name: `store`, `hooks`, `hook-cursor`, `vaults/<agent>`, `keys/<agent>`, `journals/<agent>`, `grants/<grantee>/<granter>.<KEY>` or `proposals/<agent>/<id>`. */
export type ObjectId = string;

/** An opaque token that changes whenever the object is written. */
export type Generation = string;

/** The ids of a store's objects. Agent ids and keys are validated here, so no id from the outside can name another place. */
export const objectIds = {
  /** The store file: KDF parameters and the check value of the owner key. */
  store: 'store' as ObjectId,
  vault: (agent: string): ObjectId => `vaults/${checkAgentId(agent)}`,
  /** The owner-signed certificate of an agent's X25519 public key. */
  keyCertificate: (agent: string): ObjectId => `keys/${checkAgentId(agent)}`,
  /** The copy of `granter`'s credential `key` sealed to `grantee`. */
  grant: (grantee: string, granter: string, key: string): ObjectId => `grants/${checkAgentId(grantee)}/${checkAgentId(granter)}.${checkCredentialKey(key)}`,
  /** The lifecycle journal entry of an agent whose provisioning, rotation or deprovisioning is under way. */
  journal: (agent: string): ObjectId => `journals/${checkAgentId(agent)}`,
  /** The owner's hooks and their secrets, sealed with the hooks key. */
  hooks: 'hooks' as ObjectId,
  /** The hooks' delivery cursor: per hook and log, the last line delivered and acknowledged. */
  hookCursor: 'hook-cursor' as ObjectId,
  /** The journal of a rekey under way; `_` starts no agent id, so it is never an agent's entry (and `list` skips it). */
  rekeyJournal: 'journals/_rekey' as ObjectId,
  /** The prefix listing every grant addressed to `grantee`. */
  grantsTo: (grantee: string): ObjectPrefix => `grants/${checkAgentId(grantee)}/`,
  /** One proposal of `agent`, sealed with a key of its vault. */
  proposal: (agent: string, id: string): ObjectId => `proposals/${checkAgentId(agent)}/${checkProposalId(id)}`,
  /** The prefix listing every proposal of `agent`. */
  proposalsOf: (agent: string): ObjectPrefix => `proposals/${checkAgentId(agent)}/`,
};

/** What `list` takes: a folder of objects. */
export type ObjectPrefix = 'vaults/' | 'keys/' | 'journals/' | 'grants/' | `grants/${string}/` | 'proposals/' | `proposals/${string}/`;

/** An object as read: its bytes and the generation a compare-and-swap names. */
export interface StoredObject {
  bytes: Buffer;
  generation: Generation;
}

/**
 * An object opened for reading in parts: its bytes on demand (the shape
 * format/vault-file.ts parses: its length, and the bytes in [start, end), fewer only if
 * it was cut since it was opened; every part from the one version opened) and the
 * generation a compare-and-swap names.
 */
export interface OpenedObject {
  bytes: VaultFileBytes;
  generation: Generation;
}

/** A compare-and-swap that lost: the object changed (or appeared, or vanished) since it was read. */
export class WriteConflictError extends Error {
  constructor(readonly id: ObjectId) {
    super(`${id} changed while it was being written`);
    this.name = 'WriteConflictError';
  }
}

/** One audit log: the store's own, a provisioned agent's, or a deprovisioned agent's. */
export interface AuditLogRef {
  kind: 'store' | 'agent' | 'retired';
  /** The log's name within the store (`audit.jsonl`, `vaults/bot.audit.jsonl`, `retired/…`), as `audit --json` shows it. */
  name: string;
  /** The agent whose log it is (not for the store's log). */
  agent?: string;
}

/** The store's own log. */
export const STORE_LOG: AuditLogRef = { kind: 'store', name: 'audit.jsonl' };

/** The log of a provisioned agent. */
export function agentLog(agent: string): AuditLogRef {
  return { kind: 'agent', name: `vaults/${checkAgentId(agent)}.audit.jsonl`, agent };
}

/** What an appender sees, under the log's append lock, before it writes. */
export interface AuditTail extends LogTail {
  /** The log ends in a torn line (a crash mid-append): the next line must not run into it. */
  torn: boolean;
}

/**
 * What an appender decided: the lines to append (one operation's, in order, each
 * without its newline) and, if it changes, the new head, naming the last of them.
 */
export interface AuditWrite {
  lines: string[];
  head?: string;
}

/**
 * A log read in pieces: its head, read before the log, and the log's text as
 * consecutive chunks (a line may span two), `undefined` when the log is missing.
 * Lines appended after the head was read may or may not be among the chunks.
 * The log is opened when the chunks are first asked for; iterate them to the end (or
 * break out of the loop): that releases it.
 */
export interface AuditLogStream {
  head: string | undefined;
  chunks: AsyncIterable<string> | undefined;
  /**
   * Which file the chunks came from, set once they were first asked for, where the
   * backend can tell (the directory backend's device and inode): a follower hands it
   * back in its next {@link AuditLogPosition}, so a log replaced under it is noticed.
   */
  identity?: string;
  /**
   * Where the backend reads bytes (the directory backend): the byte offset in the file
   * of the start of the last whole line the chunks have yielded so far, counted in the
   * raw bytes (a follower's {@link AuditLogPosition.bytes}), since the decoded text's
   * length drifts from them after invalid UTF-8 (a torn multi-byte character).
   */
  lastLineStart?: number;
}

/**
 * The start of a line of a log, where a follower reads it again from (the last line it
 * showed, to check that it is still there): how many lines and UTF-8 bytes come before it.
 */
export interface AuditLogPosition {
  lines: number;
  bytes: number;
  /** The {@link AuditLogStream.identity} of the read it was found in. */
  identity?: string;
}

/** Audit logs: append streams, each with a small head file beside it. */
export interface AuditStorage {
  /**
   * Runs `plan` with the log's tail under its append lock, then appends the lines it
   * returns (and replaces the head) before the lock is released, so concurrent
   * appenders never fork the chain. The lines are one write: one lock, one durable
   * write of all of them, one head; a crash mid-write may leave a prefix of them (the
   * last torn), never a gap. `plan` returning `undefined` (or no lines) writes
   * nothing; the result says whether lines were written.
   */
  append(log: AuditLogRef, plan: (tail: AuditTail) => AuditWrite | undefined | Promise<AuditWrite | undefined>): Promise<boolean>;
  /** Replaces the head under the append lock if `change` returns a new one. */
  rewriteHead(log: AuditLogRef, change: (tail: AuditTail) => string | undefined | Promise<string | undefined>): Promise<void>;
  /** The log's text and its head's, either `undefined` when missing. */
  read(log: AuditLogRef): Promise<{ text: string | undefined; head: string | undefined }>;
  /**
   * The log in chunks, for reading a long log in constant memory (`audit verify`,
   * `audit`), from its start or, for a follower, from `from` (what it read before
   * stays unread: the directory backend seeks to the byte, PostgreSQL fetches the
   * rows after). Reading from a position in a log that is now shorter than it, or
   * (where the backend can tell) is another file, is an integrity error (exit 6).
   */
  stream(log: AuditLogRef, from?: AuditLogPosition): Promise<AuditLogStream>;
  /** Every log the store has or should have: the store's, agents' (one whose vault, log or head exists), retired ones. */
  list(): Promise<AuditLogRef[]>;
  /** Removes a log and its head: the debris of an `init` or a provisioning that a crash interrupted. */
  discard(log: AuditLogRef): Promise<void>;
  /** Moves an agent's log and head out of the way at deprovisioning, under the append lock, keeping them as a retired log. */
  retire(agent: string, at: string): Promise<void>;
  /**
   * Writes a log and its head exactly as a backup holds them (either may be missing),
   * under the append lock. Create-only: a log or head already there is a
   * {@link WriteConflictError}, so a restore never overwrites a chain.
   */
  restore(log: AuditLogRef, text: string | undefined, head: string | undefined): Promise<void>;
  /**
   * Optional: calls `onChange` (at least once) when a log may have changed, until the
   * returned function is called. Only a hint to wake a follower early (`audit
   * --follow`, `hook run --follow`), which reads on through `stream`; a backend
   * without it is polled. `undefined` when the backend cannot watch right now.
   */
  watch?(onChange: () => void): (() => void) | undefined;
}

/** A store, wherever it lives. */
export interface StorageBackend {
  /** Where the store is, for messages: a directory, or a URL without a password. */
  readonly location: string;
  /** Whether the store file exists. */
  isInitialised(): Promise<boolean>;
  /** Makes an empty store ready for its first object (directories, tables). */
  prepare(): Promise<void>;
  read(id: ObjectId): Promise<StoredObject | undefined>;
  /**
   * Like {@link read}, but the bytes are read only as they are asked for (a vault's
   * header and index, then the blocks a read needs): the directory backend reads parts
   * of the open file; a backend that fetches whole objects hands over what it fetched.
   */
  readInParts(id: ObjectId): Promise<OpenedObject | undefined>;
  /** Whether the object exists, without reading it. */
  exists(id: ObjectId): Promise<boolean>;
  /** The ids directly under `prefix`, sorted. Names that are not valid ids are skipped. */
  list(prefix: ObjectPrefix): Promise<ObjectId[]>;
  /** Writes a new object; {@link WriteConflictError} if it exists. */
  create(id: ObjectId, bytes: Uint8Array): Promise<Generation>;
  /**
   * Replaces the object if it is still at `expected`, else {@link WriteConflictError}.
   * With `keepPrevious`, the replaced version is kept as the one previous generation.
   */
  replace(id: ObjectId, bytes: Uint8Array, expected: Generation, options?: { keepPrevious?: boolean }): Promise<Generation>;
  /**
   * Puts back the previous generation kept by a `replace` with `keepPrevious`, if the
   * object is still at `expected` (else {@link WriteConflictError}). It must need no new
   * space (a rename, not a write), so that a change can be undone on a full disk.
   */
  restorePrevious(id: ObjectId, expected: Generation): Promise<void>;
  /** Creates or replaces an object whose writers another object's {@link exclusive} section serialises (grants, certificates). */
  put(id: ObjectId, bytes: Uint8Array): Promise<void>;
  /** Removes the object (and its previous generation); whether it existed. */
  remove(id: ObjectId): Promise<boolean>;
  /** Removes every object under `prefix`, and anything else found there (deprovisioning). */
  removeAll(prefix: ObjectPrefix): Promise<void>;
  /** Drops the kept previous generation, after a change the old version must not outlive (a token rotation). */
  forgetPrevious(id: ObjectId): Promise<void>;
  /** Runs `fn` as the only writer of `id` this backend knows of, waiting a bounded time (then exit 7). */
  exclusive<T>(id: ObjectId, fn: () => Promise<T>): Promise<T>;
  /** A human-readable place of an object, for error messages. */
  describe(id: ObjectId): string;
  /** A human-readable place of a log, for `audit verify`. */
  describeLog(log: AuditLogRef): string;
  readonly audit: AuditStorage;
}
