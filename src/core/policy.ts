/**
 * Rotation policies: how often a credential's main secret should be rotated, when it
 * expires, and how `credential rotate` generates its next value. Kept on the
 * credential (`Credential.policy`). Pure: the caller passes the clock in.
 */
import { UsageError } from './errors.js';
import { isDuration, parseDuration } from './duration.js';
import type { CharacterClass } from './generator.js';

/** The `generate` options `credential rotate` remembers for a credential. */
export interface GeneratorSettings {
  /** A password of this length with these classes, or a passphrase of `words` words. */
  length?: number;
  classes?: CharacterClass[];
  excludeAmbiguous?: boolean;
  words?: number;
  separator?: string;
  capitalize?: boolean;
  number?: boolean;
}

/** A credential's lifecycle policy; every part optional. */
export interface CredentialPolicy {
  /** A duration (`30d`): the main secret is due for rotation this long after it last changed. */
  rotateEvery?: string;
  /** When the credential expires (UTC, ISO 8601). */
  expires?: string;
  /** How `credential rotate` generates a new main secret. */
  generator?: GeneratorSettings;
}

/** The word that removes a policy part on `update`. */
export const NO_POLICY = 'never';

/** `--rotate-every D`: a duration, or `never` (undefined: remove it). */
export function parseRotateEvery(text: string): string | undefined {
  if (text === NO_POLICY) return undefined;
  parseDuration(text);
  return text;
}

/** `--expires DATE|D`: a date or time, or a duration from `now`, or `never` (undefined). */
export function parseExpires(text: string, now: Date): string | undefined {
  if (text === NO_POLICY) return undefined;
  if (isDuration(text)) return new Date(now.getTime() + parseDuration(text)).toISOString();
  const time = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(time)) throw new UsageError(`--expires ${JSON.stringify(text)} is neither a date nor a duration`, 'use a date such as 2026-12-31, a duration such as 90d, or never');
  return new Date(time).toISOString();
}

/** Why a credential is due, and since or until when. */
export interface DueItem {
  reason: 'rotation' | 'expiry';
  /** When the rotation is or was due, or when it expires or expired. */
  due: string;
}

/**
 * What is due of one credential at `now`, looking `withinMs` ahead: its rotation (from
 * `changed`, when its main secret last changed) and its expiry.
 */
export function dueItems(policy: CredentialPolicy | undefined, changed: string, now: Date, withinMs = 0): DueItem[] {
  const items: DueItem[] = [];
  const horizon = now.getTime() + withinMs;
  if (policy?.rotateEvery !== undefined) {
    const due = Date.parse(changed) + parseDuration(policy.rotateEvery);
    if (due <= horizon) items.push({ reason: 'rotation', due: new Date(due).toISOString() });
  }
  if (policy?.expires !== undefined && Date.parse(policy.expires) <= horizon) items.push({ reason: 'expiry', due: policy.expires });
  return items;
}

/** Whether the credential's expiry has passed at `now`. */
export function isPastExpiry(policy: CredentialPolicy | undefined, now: Date): boolean {
  return policy?.expires !== undefined && Date.parse(policy.expires) <= now.getTime();
}

/** Checks the shape of a policy read from a payload; `undefined` if it is not one. */
export function isPolicy(value: unknown): value is CredentialPolicy {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const p = value as Record<string, unknown>;
  return (p.rotateEvery === undefined || (typeof p.rotateEvery === 'string' && isDuration(p.rotateEvery))) &&
    (p.expires === undefined || (typeof p.expires === 'string' && !Number.isNaN(Date.parse(p.expires)))) &&
    (p.generator === undefined || (typeof p.generator === 'object' && p.generator !== null && !Array.isArray(p.generator)));
}
