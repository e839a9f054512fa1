import { loadFondoConfig } from '../../../fondo';
import { assumeUniqueClientRefs, ConfigError, parseEnv, TemporalConfigSchema } from '../../../workers/config';

// Bad-input corpus (issue 12.6), configuration of the worker, the bridge and the CLI: each bad environment stops
// start-up with an error naming the variable, never echoing a secret or a URL.
const SECRET = 's3cr3t-do-not-print';

const TEMPORAL_CASES: [string, NodeJS.ProcessEnv, string][] = [
  ['empty TEMPORAL_ADDRESS', { TEMPORAL_ADDRESS: '' }, 'TEMPORAL_ADDRESS: '],
  ['empty TEMPORAL_NAMESPACE', { TEMPORAL_NAMESPACE: '' }, 'TEMPORAL_NAMESPACE: '],
  ['empty TEMPORAL_TASK_QUEUE', { TEMPORAL_TASK_QUEUE: '' }, 'TEMPORAL_TASK_QUEUE: '],
];

const CLIENT_REF_CASES: [string, string][] = [
  ['yes', 'yes'],
  ['upper case TRUE', 'TRUE'],
  ['1', '1'],
  ['empty', ''],
  ['padded true', ' true'],
];

const FONDO_CASES: [string, NodeJS.ProcessEnv, string[]][] = [
  ['unknown FONDO_ENV staging', { FONDO_ENV: 'staging' }, ['FONDO_ENV']],
  ['upper case FONDO_ENV', { FONDO_ENV: 'LOCAL' }, ['FONDO_ENV']],
  ['abbreviated FONDO_ENV prod', { FONDO_ENV: 'prod' }, ['FONDO_ENV']],
  ['ftp base URL', { FONDO_BASE_URL: 'ftp://fondo.example/v2' }, ['FONDO_BASE_URL', 'must be an http(s) URL']],
  ['base URL that is no URL', { FONDO_BASE_URL: 'fondo dot se' }, ['FONDO_BASE_URL', 'must be an http(s) URL']],
  ['base URL without scheme', { FONDO_BASE_URL: 'api.fondo.se' }, ['FONDO_BASE_URL']],
  ['timeout with a unit', { FONDO_TIMEOUT_MS: '10s' }, ['FONDO_TIMEOUT_MS', 'must be a whole number of milliseconds']],
  ['negative timeout', { FONDO_TIMEOUT_MS: '-1' }, ['FONDO_TIMEOUT_MS', 'must be a whole number of milliseconds']],
  ['fractional timeout', { FONDO_TIMEOUT_MS: '1.5' }, ['FONDO_TIMEOUT_MS', 'must be a whole number of milliseconds']],
  ['zero timeout', { FONDO_TIMEOUT_MS: '0' }, ['FONDO_TIMEOUT_MS']],
  ['timeout above the maximum', { FONDO_TIMEOUT_MS: '600001' }, ['FONDO_TIMEOUT_MS']],
  [
    'sandbox without credentials',
    { FONDO_ENV: 'sandbox' },
    ['FONDO_CLIENT_ID', 'FONDO_CLIENT_SECRET', 'is required when FONDO_ENV is sandbox'],
  ],
  [
    'production without a secret',
    { FONDO_ENV: 'production', FONDO_CLIENT_ID: 'partner-1' },
    ['FONDO_CLIENT_SECRET is required when FONDO_ENV is production'],
  ],
  [
    'npc without a client id',
    { FONDO_ENV: 'npc', FONDO_CLIENT_SECRET: SECRET },
    ['FONDO_CLIENT_ID is required when FONDO_ENV is npc'],
  ],
  [
    'blank client id counts as unset',
    { FONDO_ENV: 'sandbox', FONDO_CLIENT_ID: '   ', FONDO_CLIENT_SECRET: SECRET },
    ['FONDO_CLIENT_ID is required'],
  ],
  [
    'a secret with a bad URL: names the URL variable, echoes neither',
    {
      FONDO_ENV: 'production',
      FONDO_CLIENT_ID: 'p',
      FONDO_CLIENT_SECRET: SECRET,
      FONDO_BASE_URL: `ftp://u:${SECRET}@x`,
    },
    ['FONDO_BASE_URL'],
  ],
  [
    'several problems at once',
    { FONDO_ENV: 'sandbox', FONDO_TIMEOUT_MS: 'soon' },
    ['FONDO_TIMEOUT_MS', 'FONDO_CLIENT_ID', 'FONDO_CLIENT_SECRET'],
  ],
];

describe('bad-input corpus: configuration', () => {
  it.each(TEMPORAL_CASES)('%s: start-up stops naming the variable', (_name, env, message) => {
    expect(() => parseEnv(TemporalConfigSchema, env)).toThrow(ConfigError);
    expect(() => parseEnv(TemporalConfigSchema, env)).toThrow(message);
  });

  it.each(CLIENT_REF_CASES)('FONDO_UNIQUE_CLIENT_REFS %s: refused naming the variable', (_name, value) => {
    expect(() => assumeUniqueClientRefs('local', { FONDO_UNIQUE_CLIENT_REFS: value })).toThrow(
      /FONDO_UNIQUE_CLIENT_REFS: /
    );
  });

  it.each(FONDO_CASES)('%s: start-up stops naming the variable, no secret or URL shown', (_name, env, parts) => {
    let message = '';
    try {
      loadFondoConfig(env);
    } catch (err) {
      message = (err as Error).message;
      expect((err as Error).name).toBe('FondoConfigError');
    }
    for (const part of parts) expect(message).toContain(part);
    expect(message).not.toContain(SECRET);
    if (env.FONDO_BASE_URL) expect(message).not.toContain(env.FONDO_BASE_URL);
  });
});
