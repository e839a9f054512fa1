import type { DataConverter } from '@temporalio/common';
import { createDataConverter, generateKeyEntry, loadPayloadKeyring } from '../../workers/data-converter';

/**
 * Payload encryption in tests: a TEST-ONLY key generated once per test process (never from code) and put into
 * SAVINGS_PAYLOAD_KEYS, so the processes a test spawns (worker, CLI) inherit it. A key already set in the
 * environment is used instead.
 */
export function testPayloadKeys(): string {
  process.env.SAVINGS_PAYLOAD_KEYS ??= generateKeyEntry(`test-only-${process.pid}`);
  return process.env.SAVINGS_PAYLOAD_KEYS;
}

/** The data converter of the tests' clients and workers: the production codec with the test key. */
export function testDataConverter(): DataConverter {
  testPayloadKeys();
  return createDataConverter(loadPayloadKeyring(process.env));
}
