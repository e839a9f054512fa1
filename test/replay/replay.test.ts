import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { testDataConverter } from '../helpers/payload-keys';
import { workflowBundle } from '../helpers/temporal';

// Determinism guard: histories recorded from real runs (test/replay/record-histories.ts) must replay with the
// current workflow code. A failure here means a change would break executions already in flight: guard it with
// patched() instead, or re-record only if no such executions can exist.
// They replay through the production payload codec, as a worker would: they are recorded plain (recording runs
// without encryption, so they need no key), and the codec passes through payloads it did not encrypt.
// Each recording is a set: the first lies in histories/, later ones in histories/<set>/ beside it (never over it).
const DIR = path.join(__dirname, 'histories');
const files = readdirSync(DIR, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.bin'))
  .sort();

describe('replaying recorded histories with the current workflow code', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it.each(files)(
    '%s replays without non-determinism',
    async (file) => {
      const history = temporal.api.history.v1.History.decode(readFileSync(path.join(DIR, file)));
      expect(history.events.length).toBeGreaterThan(5);
      await Worker.runReplayHistory(
        { workflowBundle: await workflowBundle(), dataConverter: testDataConverter() },
        history,
        file
      );
    },
    60_000
  );
});
