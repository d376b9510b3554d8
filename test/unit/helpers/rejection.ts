/** The `ArkorApiError` a client call rejects with (fails the test if it resolves or throws anything else). */
import assert from 'node:assert/strict';
import { ArkorApiError } from '../../../src/core';

export async function rejection(p: Promise<unknown>): Promise<ArkorApiError> {
  const err = await p.then(
    () => assert.fail('expected the call to fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ArkorApiError, `expected ArkorApiError, got ${String(err)}`);
  return err;
}
