import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { toActivityFailure } from '../../activities/fondo-failure';
import { createFondoError } from '../../fondo/errors';
import { ConfigError } from '../../workers/config';
import { createLogger, describeError, temporalLogger } from '../../workers/logger';

const CLIENT = 'c0000000-0000-4000-8000-000000000001';
const ACCOUNT = 'e0000000-0000-4000-8000-000000004711';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      raw.push(chunk.toString('utf8'));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      raw
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

// Issue 16 item 6 and issue 12 item 5: a logged failure shows its type, message and Fondo call (ids masked).
describe('logged errors', () => {
  it("an activity's Fondo failure, logged as the SDK logs it, shows failure type, message, method and masked path", () => {
    const fondoError = createFondoError(
      { method: 'GET', path: `/v2/partner/client/${CLIENT}/account/${ACCOUNT}` },
      { status: 503, body: { error: 'service_unavailable', error_description: 'injected fault 503' } }
    );
    const failure = toActivityFailure(fondoError);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    const { stream, lines } = capture();
    // The SDK's worker logs `Activity failed` with `{ error, durationMs }` through temporalLogger.
    temporalLogger(createLogger('worker', 'info', stream)).warn('Activity failed', { error: failure, durationMs: 12 });
    const [line] = lines();
    expect(line).toMatchObject({
      msg: 'Activity failed',
      error: {
        type: 'ApplicationFailure',
        failureType: 'FondoUnavailable',
        message:
          'Fondo GET /v2/partner/client/:id/account/:id failed: server-error (HTTP 503) service_unavailable: injected fault 503',
      },
    });
    const text = JSON.stringify(line);
    expect(text).not.toContain('[object Object]');
    expect(text).not.toContain(CLIENT);
    expect(text).not.toContain(ACCOUNT);
  });

  it('a FondoError itself carries method, masked path, kind and status', () => {
    const error = createFondoError({ method: 'POST', path: `/v2/partner/client/${CLIENT}/order` }, { status: 429 });
    expect(describeError(error)).toEqual({
      type: 'FondoError',
      message: 'Fondo POST /v2/partner/client/:id/order failed: rate-limited (HTTP 429)',
      fondo: { method: 'POST', path: '/v2/partner/client/:id/order', kind: 'rate-limited', status: 429 },
    });
  });

  it.each([
    ['a plain object', { some: 'thing' }, { type: 'Object', message: 'a non-Error value was thrown' }],
    ['a string', 'boom', { type: 'string', message: 'boom' }],
    [
      'an error with a cause',
      new Error('outer', { cause: new TypeError('inner') }),
      { type: 'Error', message: 'outer', cause: { type: 'TypeError', message: 'inner' } },
    ],
  ])('%s is described by type and message', (_name, thrown, expected) => {
    expect(describeError(thrown)).toEqual(expected);
  });

  it('a bad LOG_LEVEL is a configuration error naming LOG_LEVEL, not a logger stack trace', () => {
    const previous = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'loud';
    try {
      expect(() => createLogger('worker')).toThrow(ConfigError);
      expect(() => createLogger('worker')).toThrow(
        /LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent/
      );
    } finally {
      if (previous === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = previous;
    }
  });

  it('redacts personal data and secrets that reach a log line', () => {
    const { stream, lines } = capture();
    createLogger('worker', 'info', stream).info({ account: { ssn: '198003141002', iban: 'SE45500000000583982' } }, 'x');
    expect(JSON.stringify(lines()[0])).not.toMatch(/198003141002|SE45500000000583982/);
  });
});
