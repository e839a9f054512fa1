import { FondoClient, FondoConfigError, loadFondoConfig } from '../../fondo';

describe('loadFondoConfig', () => {
  it('defaults to the local sandbox with its seeded partner credentials', () => {
    expect(loadFondoConfig({})).toEqual({
      env: 'local',
      baseUrl: 'http://127.0.0.1:7890',
      clientId: 'sandbox-partner',
      clientSecret: 'sandbox-secret',
      timeoutMs: 10_000,
    });
  });

  it.each([
    ['sandbox', 'https://api.sandbox.fondo.se'],
    ['npc', 'https://api.npc.fondo.se'],
    ['production', 'https://api.fondo.se'],
  ])('resolves FONDO_ENV=%s to %s', (env, baseUrl) => {
    const config = loadFondoConfig({ FONDO_ENV: env, FONDO_CLIENT_ID: 'p', FONDO_CLIENT_SECRET: 's' });
    expect(config).toMatchObject({ env, baseUrl, clientId: 'p', clientSecret: 's' });
  });

  it('takes a base URL override (with a path prefix) and a timeout', () => {
    const config = loadFondoConfig({ FONDO_BASE_URL: 'http://localhost:9000/fondo', FONDO_TIMEOUT_MS: '2500' });
    expect(config).toMatchObject({ env: 'local', baseUrl: 'http://localhost:9000/fondo', timeoutMs: 2500 });
  });

  it('names every missing credential outside local', () => {
    expect(() => loadFondoConfig({ FONDO_ENV: 'production', FONDO_CLIENT_ID: '  ' })).toThrow(
      new FondoConfigError(
        'Invalid Fondo configuration: FONDO_CLIENT_ID is required when FONDO_ENV is production; ' +
          'FONDO_CLIENT_SECRET is required when FONDO_ENV is production'
      )
    );
  });

  it('names each invalid variable without echoing URLs or secrets', () => {
    let message = '';
    try {
      loadFondoConfig({
        FONDO_ENV: 'staging',
        FONDO_BASE_URL: 'ftp://user:hunter2@example.com',
        FONDO_TIMEOUT_MS: '10s',
        FONDO_CLIENT_SECRET: 'hunter2',
      });
    } catch (error) {
      expect(error).toBeInstanceOf(FondoConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain('FONDO_ENV');
    expect(message).toContain('FONDO_BASE_URL must be an http(s) URL');
    expect(message).toContain('FONDO_TIMEOUT_MS must be a whole number of milliseconds');
    expect(message).not.toContain('hunter2');
  });

  it('rejects a zero timeout', () => {
    expect(() => loadFondoConfig({ FONDO_TIMEOUT_MS: '0' })).toThrow(/FONDO_TIMEOUT_MS/);
  });
});

describe('FondoClient options', () => {
  it('are validated at construction without echoing the secret', () => {
    expect(() => new FondoClient({ baseUrl: 'not a url', clientId: '', clientSecret: 'hunter2' })).toThrow(
      FondoConfigError
    );
    try {
      new FondoClient({ baseUrl: 'not a url', clientId: 'p', clientSecret: 'hunter2' });
    } catch (error) {
      expect((error as Error).message).toBe('Invalid FondoClient options: baseUrl: must be an http(s) URL');
    }
  });

  it('accept a loaded config directly', () => {
    expect(new FondoClient(loadFondoConfig({}))).toBeInstanceOf(FondoClient);
  });
});
