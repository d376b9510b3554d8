// The real backend process (helpers.ts) and an anonymous user signed up on it: what a suite that
// calls the backend as a client starts from.
import { ArkorApiClient } from '../../../src/core';
import { CLIENT_VERSION, type Started, startServer } from './helpers';

export class BackendUser {
  /** The backend process now (a test that restarts it puts the new one here). */
  server!: Started;
  token = '';
  orgSlug = '';
  anonymousId = '';

  /** A client of the backend now, as this user. */
  client(): ArkorApiClient {
    return new ArkorApiClient({
      baseUrl: this.server.url,
      getToken: () => this.token,
      clientVersion: CLIENT_VERSION,
    });
  }

  /** Starts the backend on `dataDir` and signs up. */
  protected async startOn(dataDir: string): Promise<void> {
    this.server = await startServer(dataDir);
    const signup = await this.client().signUpAnonymous();
    this.token = signup.token;
    this.orgSlug = signup.personalOrg.slug;
    this.anonymousId = signup.anonymousId;
  }
}
