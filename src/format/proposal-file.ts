/**
 * The proposal file, byte-exact (see man/agent-vault.5, PROPOSALS): one agent's request
 * for credentials, sealed with a key only that agent and the owner hold.
 *
 *   agent-vault-proposal/v1
 *   agent: <agent id>
 *   id: <proposal id>
 *   key: <index of the proposal key in the agent's payload>
 *   --- <nonce>
 *   <AES-256-GCM ciphertext and tag of the proposal as JSON>
 *
 * The file key is derived from one of the random proposal keys of the agent's vault
 * payload (see keys.ts). The additional data is every header byte, so a file moved to
 * another agent's or another id's place, or with any byte changed, does not open; and
 * the sealed JSON names its agent and id again, so the check does not rest on the
 * header alone. Pure.
 */
import { UsageError } from '../core/errors.js';
import { NONCE_LENGTH, open, sealWithNonce } from './aead.js';
import { FormatError } from './format-error.js';
import { AGENT_ID_VALUE, base64Line, checkedText, encodeHeader, headerGrammar, parseHeader, valueLine, type ValueRule } from './header-lines.js';
import { deriveProposalFileKey } from './keys.js';

export const PROPOSAL_VERSION = 'agent-vault-proposal/v1';

/** A proposal id: 12 characters of lowercase base32 (60 random bits). */
const PROPOSAL_ID = /^[a-z2-7]{12}$/;

/** The proposal keys a payload may hold: one per token epoch, far below this. */
const MAX_KEY_INDEX = 9999;

export function isProposalId(text: string): boolean {
  return PROPOSAL_ID.test(text);
}

/** Throws a usage error (exit 2) unless `text` is a proposal id: it becomes part of a file name. */
export function checkProposalId(text: string): string {
  if (!isProposalId(text)) {
    throw new UsageError(`invalid proposal id ${JSON.stringify(text.slice(0, 80))}`, 'a proposal id is 12 characters of a-z and 2-7, as proposal create printed it');
  }
  return text;
}

/** A whole number without leading zeros, at most {@link MAX_KEY_INDEX}. */
const KEY_INDEX_VALUE: ValueRule<number> = {
  decode(text, what) {
    if (!/^(0|[1-9][0-9]{0,3})$/.test(text) || Number(text) > MAX_KEY_INDEX) throw new FormatError(`${what} is not a key index`);
    return Number(text);
  },
  encode: (value) => String(value),
};

const PROPOSAL_HEADER = headerGrammar({
  kind: 'proposal file',
  version: PROPOSAL_VERSION,
  lines: [
    valueLine('agent', AGENT_ID_VALUE),
    valueLine('id', checkedText(isProposalId, 'a valid proposal id')),
    valueLine('key', KEY_INDEX_VALUE),
    base64Line('---', [['nonce', NONCE_LENGTH]]),
  ],
  maxBytes: 256,
  body: 'sealed',
});

/** Where a proposal file says it belongs, and which proposal key seals it. */
export interface ProposalFileHeader {
  agent: string;
  id: string;
  keyIndex: number;
}

/** A proposal file split into its parts; the body is still sealed. */
export interface ParsedProposalFile extends ProposalFileHeader {
  headerBytes: Buffer;
  nonce: Buffer;
  sealed: Buffer;
}

/** Seals `body` (the proposal as JSON) under `proposalKey` and returns the whole file. */
export function sealProposal(header: ProposalFileHeader, proposalKey: Buffer, body: Uint8Array, nonce: Buffer): Buffer {
  const headerBytes = encodeHeader(PROPOSAL_HEADER, { agent: header.agent, id: header.id, key: header.keyIndex, '---': [nonce] });
  return Buffer.concat([headerBytes, sealWithNonce(deriveProposalFileKey(proposalKey), nonce, body, headerBytes)]);
}

/** Parses a proposal file strictly; anything off the grammar is a {@link FormatError} (exit 6). */
export function parseProposalFile(bytes: Buffer): ParsedProposalFile {
  const { values, end } = parseHeader(PROPOSAL_HEADER, bytes);
  return { agent: values.agent, id: values.id, keyIndex: values.key, headerBytes: bytes.subarray(0, end), nonce: values['---'][0], sealed: bytes.subarray(end) };
}

/** Opens a parsed proposal file, or `undefined` when the key is wrong or any byte changed. */
export function openProposal(file: ParsedProposalFile, proposalKey: Buffer): Buffer | undefined {
  return open(deriveProposalFileKey(proposalKey), file.nonce, file.sealed, file.headerBytes);
}
