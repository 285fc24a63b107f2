import { describe, expect, it } from 'vitest';
import { editorArgv, editorCommand } from '../../../src/cli/editor.js';

describe('the editor command', () => {
  it('is VISUAL, else EDITOR, else vi; blank ones do not count', () => {
    expect(editorCommand({ VISUAL: 'code --wait', EDITOR: 'nano' })).toBe('code --wait');
    expect(editorCommand({ VISUAL: '  ', EDITOR: 'nano' })).toBe('nano');
    expect(editorCommand({})).toBe('vi');
  });

  it('runs a bare program name directly, with the file as its one argument', () => {
    expect(editorArgv('nano', '/run/x/A.txt')).toEqual(['nano', '/run/x/A.txt']);
    expect(editorArgv('/usr/bin/vim', '/run/x/A.txt')).toEqual(['/usr/bin/vim', '/run/x/A.txt']);
  });

  it('hands a command line with spaces or shell characters to sh, as git does, the file passed as "$1" and never spliced in', () => {
    expect(editorArgv('code --wait', '/run/x/A.txt')).toEqual(['/bin/sh', '-c', 'code --wait "$@"', 'code --wait', '/run/x/A.txt']);
    expect(editorArgv('emacsclient -t -a ""', '/tmp/$(x)/A.txt')).toEqual(['/bin/sh', '-c', 'emacsclient -t -a "" "$@"', 'emacsclient -t -a ""', '/tmp/$(x)/A.txt']);
  });
});
