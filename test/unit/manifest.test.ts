import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('package.json manifest', () => {
  it('lists no activation events that VS Code already infers from contributions', () => {
    for (const event of manifest.activationEvents as string[]) {
      assert.doesNotMatch(event, /^(onCommand|onView|onCustomEditor|onLanguage):/, event);
    }
  });

  it('puts every command in the Arkor category', () => {
    for (const c of manifest.contributes.commands) assert.equal(c.category, 'Arkor', c.command);
  });

  it('contributes the commands the product needs', () => {
    const titles = manifest.contributes.commands.map((c: { title: string }) => c.title);
    for (const t of [
      'Run Training',
      'Build',
      'Open Playground',
      'Refresh Jobs',
      'Open Job',
      'Cancel Job',
      'Sign In',
      'Sign Out',
      'Select Backend',
    ]) {
      assert.ok(titles.includes(t), t);
    }
  });

  it('declares every view and command icon file that exists on disk', () => {
    const container = manifest.contributes.viewsContainers.activitybar[0];
    assert.ok(readFileSync(path.join(root, container.icon), 'utf8').startsWith('<svg'));
  });
});
