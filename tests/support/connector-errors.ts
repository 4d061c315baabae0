// Awaits a connector call that must fail, and returns its classified error.
import { expect } from 'vitest';
import { ConnectorError } from '../../connectors/errors';

export async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
}
