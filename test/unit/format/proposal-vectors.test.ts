/**
 * The proposal file vector (test/vectors/proposal.json): fixed inputs give exactly the
 * bytes man/agent-vault.5 (PROPOSALS) describes, and those bytes open to the body.
 * Regenerate with UPDATE_VECTORS=1 npx vitest run test/unit/format/proposal-vectors.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveProposalFileKey } from '../../../src/format/keys.js';
import { openProposal, parseProposalFile, sealProposal } from '../../../src/format/proposal-file.js';

const PATH = resolve(import.meta.dirname, '../../vectors/proposal.json');

interface Vector {
  about: string;
  proposal_key_hex: string;
  file_key_hex: string;
  nonce_hex: string;
  agent: string;
  id: string;
  key_index: number;
  body: string;
  file_base64: string;
}

const inputs = {
  about: 'a proposal file (man/agent-vault.5, PROPOSALS) from fixed inputs; made by test/unit/format/proposal-vectors.test.ts with UPDATE_VECTORS=1',
  proposal_key_hex: 'd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef',
  nonce_hex: 'f0f1f2f3f4f5f6f7f8f9fafb',
  agent: 'bot1',
  id: 'abcdefgh2345',
  key_index: 1,
  body: JSON.stringify({
    v: 1, id: 'abcdefgh2345', agent: 'bot1', created: '2025-01-02T03:04:05.006Z', expires: '2025-01-09T03:04:05.006Z', by: 'agent:bot1',
    message: 'for the billing tests', slots: [{ action: 'set', key: 'STRIPE_KEY', description: 'Stripe test key', obtain: 'https://dashboard.stripe.com/test/apikeys' }],
  }),
};

function make(): Vector {
  const key = Buffer.from(inputs.proposal_key_hex, 'hex');
  const file = sealProposal({ agent: inputs.agent, id: inputs.id, keyIndex: inputs.key_index }, key, Buffer.from(inputs.body), Buffer.from(inputs.nonce_hex, 'hex'));
  return { ...inputs, file_key_hex: deriveProposalFileKey(key).toString('hex'), file_base64: file.toString('base64') };
}

describe('proposal file vector', () => {
  if (process.env.UPDATE_VECTORS === '1') writeFileSync(PATH, `${JSON.stringify(make(), null, 2)}\n`);
  const vector = JSON.parse(readFileSync(PATH, 'utf8')) as Vector;

  it('is what the code makes from its inputs', () => {
    expect(make()).toEqual(vector);
  });

  it('parses to its header and opens to its body with the proposal key', () => {
    const file = parseProposalFile(Buffer.from(vector.file_base64, 'base64'));
    expect({ agent: file.agent, id: file.id, keyIndex: file.keyIndex }).toEqual({ agent: vector.agent, id: vector.id, keyIndex: vector.key_index });
    expect(openProposal(file, Buffer.from(vector.proposal_key_hex, 'hex'))?.toString()).toBe(vector.body);
  });
});
