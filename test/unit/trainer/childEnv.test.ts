import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { AnonCredentials, OAuthCredentials } from '../../../src/core';
import { type ChildHome, prepareChildHome } from '../../../src/core/trainer';

const anon: AnonCredentials = {
  mode: 'anon',
  token: 'tok_anon_secret',
  anonymousId: 'anon-1',
  orgSlug: 'personal-org',
};
const oauth: OAuthCredentials = {
  mode: 'oauth',
  accessToken: 'at_secret',
  refreshToken: 'rt_secret',
  expiresAt: 1_790_000_000,
  auth0Domain: 'auth.example',
  clientId: 'cid',
};
const BASE = 'http://127.0.0.1:9/';

describe('prepareChildHome', () => {
  const homes: ChildHome[] = [];
  afterEach(async () => {
    await Promise.all(homes.splice(0).map((h) => h.dispose()));
  });

  it('writes SDK-format anonymous credentials, 0600 in a 0700 private dir, and the child env', async () => {
    const h = await prepareChildHome(anon, BASE);
    homes.push(h);
    assert.ok(h.home.startsWith(await import('node:fs/promises').then((fs) => fs.realpath(tmpdir()))));
    const file = join(h.home, '.arkor', 'credentials.json');
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), {
      mode: 'anon',
      token: 'tok_anon_secret',
      anonymousId: 'anon-1',
      arkorCloudApiUrl: BASE,
      orgSlug: 'personal-org',
    });
    if (process.platform !== 'win32') {
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.equal((await stat(h.home)).mode & 0o777, 0o700);
      assert.equal((await stat(join(h.home, '.arkor'))).mode & 0o777, 0o700);
    }
    assert.deepEqual(h.env, {
      HOME: h.home,
      USERPROFILE: h.home,
      ARKOR_CLOUD_API_URL: BASE,
      ARKOR_TELEMETRY_DISABLED: '1',
      DO_NOT_TRACK: '1',
      NO_COLOR: '1',
    });
  });

  it('writes OAuth credentials in the SDK format', async () => {
    const h = await prepareChildHome(oauth, BASE);
    homes.push(h);
    assert.deepEqual(JSON.parse(await readFile(join(h.home, '.arkor', 'credentials.json'), 'utf8')), {
      mode: 'oauth',
      accessToken: 'at_secret',
      refreshToken: 'rt_secret',
      expiresAt: 1_790_000_000,
      auth0Domain: 'auth.example',
      clientId: 'cid',
      arkorCloudApiUrl: BASE,
    });
  });

  it('each run gets its own home; dispose removes it and is idempotent', async () => {
    const a = await prepareChildHome(anon, BASE);
    const b = await prepareChildHome(anon, BASE);
    homes.push(a, b);
    assert.notEqual(a.home, b.home);
    await a.dispose();
    assert.equal(existsSync(a.home), false);
    assert.equal(existsSync(b.home), true);
    await a.dispose();
  });

  it('removes homes that were never disposed when the process exits', async function () {
    this.timeout(20_000);
    const script = `
      const { prepareChildHome } = require(${JSON.stringify(resolve('src/core/trainer/childEnv.ts'))});
      prepareChildHome({ mode: 'anon', token: 't', anonymousId: 'a', orgSlug: 'o' }, 'http://x').then((h) => {
        console.log(h.home);
        process.exit(0);
      });
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], {
      timeout: 15_000,
    });
    const home = stdout.trim();
    assert.ok(home.includes('arkor-home-'), stdout);
    assert.equal(existsSync(home), false, 'removed by the exit hook');
  });
});
