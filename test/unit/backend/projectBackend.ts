// A suite's backend world: the real backend process, an anonymous user signed up on it, and one
// local project whose train.jsonl is the pirate-chat fixture; set up before the suite's tests and
// removed after them.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Scope } from '../../../src/core';
import { BackendUser } from './backendUser';
import { FIXTURES } from './helpers';

export class ProjectBackend extends BackendUser {
  /** The local project's scope. */
  scope!: Scope;

  constructor(
    readonly dataDir: string,
    readonly project: string,
  ) {
    super();
  }

  async start(): Promise<void> {
    copyFileSync(path.join(FIXTURES, 'pirate-chat.jsonl'), path.join(this.project, 'train.jsonl'));
    await this.startOn(this.dataDir);
    this.scope = await this.client().localProject(this.project);
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    for (const d of [this.dataDir, this.project]) rmSync(d, { recursive: true, force: true });
  }
}

/** The calling suite's ProjectBackend (mocha `before`/`after`); `name` names its temporary folders. */
export function projectBackend(name: string): ProjectBackend {
  const backend = new ProjectBackend(
    mkdtempSync(path.join(tmpdir(), `arkor-${name}-`)),
    mkdtempSync(path.join(tmpdir(), `arkor-${name}-project-`)),
  );
  before(() => backend.start());
  after(() => backend.stop());
  return backend;
}
