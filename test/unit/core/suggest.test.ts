import { describe, expect, it } from 'vitest';
import { allowedEdits, didYouMean, editDistance, suggest } from '../../../src/core/suggest.js';

describe('editDistance', () => {
  it.each([
    ['GITHUB', 'GITHUB', 0],
    ['GITHU', 'GITHUB', 1],
    ['GIHTUB', 'GITHUB', 1],
    ['verfy', 'verify', 1],
    ['injct', 'init', 2],
    ['injct', 'inject', 1],
    ['', 'abc', 3],
  ])('%s → %s is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('suggest', () => {
  const keys = ['GITHUB', 'GITHUB_TOKEN', 'OPENAI_API_KEY', 'AWS_KEY', 'DB'];

  it('puts the same word in another case first, then the fewest edits, then longer words it starts', () => {
    expect(suggest('github', keys)).toEqual(['GITHUB', 'GITHUB_TOKEN']);
    expect(suggest('GITHU', keys)).toEqual(['GITHUB', 'GITHUB_TOKEN']);
    expect(suggest('openai_api_key', keys)).toEqual(['OPENAI_API_KEY']);
    expect(suggest('GITHUB_TOKNE', keys)).toEqual(['GITHUB_TOKEN']);
  });

  it('allows one edit in a short word and a third of a longer one', () => {
    expect(allowedEdits(2)).toBe(1);
    expect(allowedEdits(5)).toBe(1);
    expect(allowedEdits(9)).toBe(3);
    expect(suggest('DC', keys)).toEqual(['DB']);
    expect(suggest('XY', keys)).toEqual([]);
    expect(suggest('AWS_KYE', keys)).toEqual(['AWS_KEY']);
    expect(suggest('ZZZ_KEY', keys)).toEqual([]);
  });

  it('takes injct for inject, and not for init', () => {
    expect(suggest('injct', ['init', 'inject', 'read'])).toEqual(['inject']);
    expect(suggest('injct', ['init', 'status'])).toEqual([]);
    expect(suggest('verfy', ['verify', 'report'])).toEqual(['verify']);
  });

  it('never suggests the word itself, names each candidate once, and keeps at most max', () => {
    expect(suggest('GITHUB', ['GITHUB', 'GITHUB'])).toEqual([]);
    expect(suggest('github', ['GITHUB', 'GITHUB'])).toEqual(['GITHUB']);
    expect(suggest('KEY', ['KEY_A', 'KEY_B', 'KEY_C', 'KEY_D'], 2)).toEqual(['KEY_A', 'KEY_B']);
  });
});

describe('didYouMean', () => {
  it('phrases one, two or three suggestions, and none as undefined', () => {
    expect(didYouMean([])).toBeUndefined();
    expect(didYouMean(['A'])).toBe('did you mean A?');
    expect(didYouMean(['A', 'B'])).toBe('did you mean A or B?');
    expect(didYouMean(['A', 'B', 'C'])).toBe('did you mean A, B or C?');
  });
});
