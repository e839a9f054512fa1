import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../helpers/temporal';

// Determinism guard: histories recorded from real runs (test/replay/record-histories.ts) must replay with the
// current workflow code. A failure here means a change would break executions already in flight: guard it with
// patched() instead, or re-record only if no such executions can exist.
const DIR = path.join(__dirname, 'histories');
const files = readdirSync(DIR)
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
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file);
    },
    60_000
  );
});
