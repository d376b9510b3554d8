import { ArkorApiClient } from '../../../src/core';
import { TestServer } from './testServer';

/** A listening TestServer, and a client of it that signs its requests with `token`. */
export async function listeningWithClient(
  token: string,
): Promise<{ server: TestServer; client: ArkorApiClient }> {
  const server = new TestServer();
  await server.listen();
  return {
    server,
    client: new ArkorApiClient({
      baseUrl: server.url,
      getToken: () => token,
      clientVersion: '0.0.3-alpha.1',
    }),
  };
}
