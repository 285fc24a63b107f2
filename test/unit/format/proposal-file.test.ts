import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntegrityError, UsageError } from '../../../src/core/errors.js';
import { deriveSubkey, NONCE_LENGTH, sealWithNonce } from '../../../src/format/aead.js';
import { checkProposalId, openProposal, parseProposalFile, PROPOSAL_VERSION, sealProposal, type ProposalFileHeader } from '../../../src/format/proposal-file.js';

const HEADER: ProposalFileHeader = { agent: 'bot', id: 'abcdefgh2345', keyIndex: 0 };
const BODY = Buffer.from('{"v":1,"id":"abcdefgh2345","agent":"bot","slots":[{"value":"agent-made-s3cret"}]}');

describe('proposal file', () => {
  const key = randomBytes(32);
  const seal = (header: ProposalFileHeader = HEADER): Buffer => sealProposal(header, key, BODY, randomBytes(NONCE_LENGTH));

  it('has the header of man 5 and opens with its key', () => {
    const bytes = seal({ ...HEADER, keyIndex: 3 });
    expect(bytes.toString('latin1')).toMatch(new RegExp(`^${PROPOSAL_VERSION}\nagent: bot\nid: abcdefgh2345\nkey: 3\n--- [A-Za-z0-9+/]{16}\n`));
    const file = parseProposalFile(bytes);
    expect({ agent: file.agent, id: file.id, keyIndex: file.keyIndex }).toEqual({ ...HEADER, keyIndex: 3 });
    expect(openProposal(file, key)).toEqual(BODY);
  });

  it('holds no plaintext', () => {
    expect(seal().includes(Buffer.from('agent-made-s3cret'))).toBe(false);
  });

  it('does not open with another key', () => {
    expect(openProposal(parseProposalFile(seal()), randomBytes(32))).toBeUndefined();
  });

  it('is keyed through HKDF, not with the proposal key itself', () => {
    const file = parseProposalFile(seal());
    const raw = sealWithNonce(key, file.nonce, BODY, file.headerBytes);
    expect(openProposal({ ...file, sealed: raw }, key)).toBeUndefined();
    const derived = sealWithNonce(deriveSubkey(key, Buffer.alloc(0), 'agent-vault/v1 proposal'), file.nonce, BODY, file.headerBytes);
    expect(openProposal({ ...file, sealed: derived }, key)).toEqual(BODY);
  });

  it.each([
    ['the agent', 'agent: bot\n', 'agent: bou\n'],
    ['the id', 'id: abcdefgh2345\n', 'id: abcdefgh2346\n'],
    ['the key index', 'key: 0\n', 'key: 1\n'],
  ])('does not open once %s in the header is changed', (_what, from, to) => {
    const bytes = Buffer.from(seal().toString('latin1').replace(from, to), 'latin1');
    expect(openProposal(parseProposalFile(bytes), key)).toBeUndefined();
  });

  it.each([
    ['another version', (t: string) => t.replace(PROPOSAL_VERSION, 'agent-vault-proposal/v2'), 'unsupported'],
    ['a bad agent id', (t: string) => t.replace('agent: bot', 'agent: ../x'), 'agent'],
    ['a bad proposal id', (t: string) => t.replace('id: abcdefgh2345', 'id: ABCDEFGH2345'), 'proposal id'],
    ['a key index with a leading zero', (t: string) => t.replace('key: 0', 'key: 00'), 'key index'],
    ['an unknown line', (t: string) => t.replace('key: 0\n', 'key: 0\nextra: 1\n'), 'unknown field'],
  ])('refuses %s as an integrity error', (_what, edit, message) => {
    const bytes = Buffer.from(edit(seal().toString('latin1')), 'latin1');
    expect(() => parseProposalFile(bytes)).toThrow(IntegrityError);
    expect(() => parseProposalFile(bytes)).toThrow(message);
  });

  it('refuses a truncated body', () => {
    const bytes = seal();
    expect(() => parseProposalFile(bytes.subarray(0, bytes.indexOf('\n---') + 30))).toThrow(IntegrityError);
  });

  it('never crashes on random bytes: it parses or is an integrity error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        try {
          parseProposalFile(Buffer.from(bytes));
        } catch (err) {
          expect(err).toBeInstanceOf(IntegrityError);
        }
      }),
    );
  });

  it('takes proposal ids of 12 base32 characters only (they become file names)', () => {
    expect(checkProposalId('abcdefgh2345')).toBe('abcdefgh2345');
    for (const bad of ['', 'abc', '../../vault', 'abcdefgh234501', 'abcdefgh2341', 'ABCDEFGH2345']) expect(() => checkProposalId(bad), bad).toThrow(UsageError);
  });
});
