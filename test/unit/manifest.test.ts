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

describe('the Get Started walkthrough', () => {
  const [walkthrough] = manifest.contributes.walkthroughs;
  const commandIds = new Set(manifest.contributes.commands.map((c: { command: string }) => c.command));
  /** Commands a step may run that the manifest does not list: VS Code's, the view's own focus command. */
  const external = (id: string) =>
    id.startsWith('workbench.') || id === 'arkor.jobs.focus' || id === 'arkor.deploy';

  it('takes a newcomer from a project to a trained model, a chat and an endpoint', () => {
    assert.deepEqual(
      walkthrough.steps.map((s: { id: string }) => s.id),
      ['createProject', 'runTraining', 'watchJob', 'playground', 'deploy'],
    );
  });

  it('gives every step a button, and completes it when the step is done', () => {
    for (const step of walkthrough.steps) {
      const links = [...step.description.matchAll(/\]\(command:([\w.]+)\)/g)].map((m) => m[1] ?? '');
      assert.ok(links.length > 0, `${step.id}: a command button`);
      for (const id of links) assert.ok(commandIds.has(id) || external(id), `${step.id}: ${id} exists`);
      assert.ok(step.completionEvents.length > 0, step.id);
      for (const event of step.completionEvents) {
        const command = /^onCommand:(.+)$/.exec(event)?.[1];
        if (command) assert.ok(commandIds.has(command) || external(command), `${step.id}: ${event}`);
        else assert.match(event, /^onContext:arkor\./, `${step.id}: ${event}`);
      }
    }
  });

  it('draws its media in the theme’s colours (no fixed colours in the SVGs)', () => {
    for (const step of walkthrough.steps) {
      const svg = readFileSync(path.join(root, step.media.svg), 'utf8');
      assert.ok(svg.startsWith('<svg'), step.media.svg);
      assert.ok(step.media.altText, `${step.id}: alt text`);
      const colours = [...svg.matchAll(/(?:fill|stroke)="([^"]+)"/g)].map((m) => m[1] ?? '');
      for (const c of colours) assert.match(c, /^(none|var\(--vscode-)/, `${step.media.svg}: ${c}`);
    }
  });
});
