import * as assert from 'node:assert/strict';
import { exportDefaultPath, safeFileName } from '../../../src/core/exportTarget';

describe('export save dialog default', () => {
  const home = '/home/ada';

  it("starts in the project's folder, with the conversation's name", () => {
    assert.equal(
      exportDefaultPath('hello-who-are-you.jsonl', {
        projectDir: '/work/ws/examples/quickstart',
        workspaceFolders: ['/work/ws'],
        home,
      }),
      '/work/ws/examples/quickstart/hello-who-are-you.jsonl',
    );
  });

  it('falls back to the first workspace folder, then home; never the filesystem root', () => {
    assert.equal(
      exportDefaultPath('a.md', { workspaceFolders: ['/work/one', '/work/two'], home }),
      '/work/one/a.md',
    );
    assert.equal(exportDefaultPath('a.md', { workspaceFolders: [], home }), '/home/ada/a.md');
    // A workspace opened at / (or a relative path) is no place to drop a file by default.
    assert.equal(
      exportDefaultPath('a.md', { projectDir: '/', workspaceFolders: ['rel'], home }),
      '/home/ada/a.md',
    );
    assert.notEqual(exportDefaultPath('a.md', { workspaceFolders: [], home }), '/a.md');
  });

  it('keeps the name a plain file name in that folder', () => {
    const folders = { projectDir: '/p', workspaceFolders: [], home };
    assert.equal(exportDefaultPath('../../etc/passwd', folders), '/p/_.._etc_passwd');
    assert.equal(exportDefaultPath('..', folders), '/p/export');
    assert.equal(safeFileName('say hi!.jsonl'), 'say_hi_.jsonl');
    assert.equal(safeFileName('.hidden'), 'hidden');
  });
});
