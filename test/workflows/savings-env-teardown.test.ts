import { createSavingsEnv } from '../helpers/savings-env';

// The CI flake of issue 16: a Temporal client call still in flight when the environment tears down fails at the
// connection's close, the client retries it from a timer on the closed channel and the process sees an uncaught
// "Channel has been shut down" after the file's tests passed (reproduced by closing the connection under 50 reads
// of the time-skipping clock). The sandbox reads Temporal's clock before every request and on a short interval,
// unawaited: the helper's teardown stops following and waits for those reads before it closes the connection.
it('teardown with the sandbox reading Temporal’s clock in flight: every read settles, nothing is retried on a closed channel', async () => {
  const s = await createSavingsEnv({ name: 'teardown' });
  const clock = s.sandbox.engine.clock;
  // Each sync in follow mode is one gRPC read of the test server's clock, as a Fondo request by an activity makes.
  const syncs = Array.from({ length: 50 }, () =>
    clock.sync().then(
      () => 'ok',
      (e: unknown) => String(e)
    )
  );
  await s.teardown();
  const settled = await Promise.race([
    Promise.all(syncs),
    new Promise<'pending'>((r) => setTimeout(() => r('pending'), 5_000)),
  ]);
  expect(settled).toEqual(Array.from({ length: 50 }, () => 'ok'));
  // A retry timer on the closed channel would fire within a couple of seconds and fail this test as uncaught.
  await new Promise((r) => setTimeout(r, 3_000));
}, 60_000);
