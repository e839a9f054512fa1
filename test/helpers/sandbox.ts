import { parse, stringify, LosslessNumber } from 'lossless-json';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';

export const CLIENT_1 = 'c0000000-0000-4000-8000-000000000001';
export const CLIENT_2 = 'c0000000-0000-4000-8000-000000000002';
export const ACCOUNT = (n: number): string => `a0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const FUND = {
  fjallsjo: 'SE0007100128SEK', // 412.37, 4 dec, min 100/100, minInvestment 100
  norrsken: 'SE0007110093SEK', // 254.81, 4 dec, min 100/100
  kustlinje: 'SE0007120068SEK', // 108.42, 6 dec, no minimum
  polarljus: 'SE0007130042SEK', // 187.06, 3 dec, initial 500 / subsequent 100
  ekskog: 'SE0007140017SEK', // 1893.55, 2 dec, 1000/500
  granit: 'SE0007159967SEK', // 11.37, 7 dec, minInvestment 100, cut-off 15:30
  vinterviken: 'SE0007179908SEK', // 1248.02, 0 dec (whole units), 1000/1000
  lodjur: 'SE0007209820SEK', // not tradable
  renhjord: 'SE0007219795SEK', // not buyable
  stjarnfall: 'SE0007239744SEK', // 389.20, client 2 universe too
  nordkap: 'SE0007259692SEK', // 100.00, 6 dec, no minimum
  klippan: 'SE0007289616SEK', // not sellable
  polarljusNotInClient2: 'SE0007130042SEK',
} as const;

/** Monday 2026-11-23 08:00 UTC = 09:00 Stockholm, a banking day well before the 13:00 fund cut-off. */
export const MONDAY_0900 = Date.parse('2026-11-23T08:00:00.000Z');

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed body with every JSON number as its exact text. */
  body: any;
}

/** A Fondo-speaking test client over real HTTP (plain fetch; the product's FondoClient is tested separately). */
export class SandboxApi {
  private token: string | undefined;
  constructor(readonly sandbox: Sandbox) {}

  async authenticate(): Promise<string> {
    const res = await fetch(`${this.sandbox.url}/v2/partner/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=sandbox-partner&client_secret=sandbox-secret',
    });
    this.token = ((await res.json()) as { access_token: string }).access_token;
    return this.token;
  }

  async call(method: string, path: string, body?: unknown, options: { auth?: boolean } = {}): Promise<ApiResponse> {
    if (options.auth !== false && !this.token) await this.authenticate();
    const headers: Record<string, string> = {};
    if (options.auth !== false) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.sandbox.url}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? parse(text, undefined, (n) => n) : undefined };
  }

  get(path: string): Promise<ApiResponse> {
    return this.call('GET', path);
  }
  post(path: string, body?: unknown): Promise<ApiResponse> {
    return this.call('POST', path, body);
  }
  delete(path: string): Promise<ApiResponse> {
    return this.call('DELETE', path);
  }
  control(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    return this.call(method, `/_sandbox${path}`, body, { auth: false });
  }
}

/** A JSON number written exactly (request bodies). */
export const n = (text: string): LosslessNumber => new LosslessNumber(text);

export async function startTestSandbox(options: SandboxOptions = {}): Promise<{ sandbox: Sandbox; api: SandboxApi }> {
  const sandbox = await startSandbox({
    clockMode: 'manual',
    startMs: MONDAY_0900,
    heartbeatIntervalMs: 200,
    ...options,
  });
  return { sandbox, api: new SandboxApi(sandbox) };
}

/** A fresh active account for one test (no interference between tests). */
export async function createTestAccount(
  api: SandboxApi,
  id: number,
  overrides: {
    clientId?: string;
    balance?: string;
    positions?: { instrument: string; units: string }[];
    kycOrder?: boolean;
    status?: string;
    mandate?: boolean;
    allocation?: { instrument: string; allocation: string }[];
  } = {}
): Promise<{ accountId: string; allocationPlanId: string | null; bankAccountId: string }> {
  const accountId = `e0000000-0000-4000-8000-${String(id).padStart(12, '0')}`;
  const bankAccountId = `f0000000-0000-4000-8000-${String(id).padStart(12, '0')}`;
  const res = await api.control('POST', '/accounts', {
    account: {
      id: accountId,
      ref: `9${String(id).padStart(10, '0')}`,
      name: 'Test',
      status: overrides.status ?? 'active',
      accountType: 'isk',
      serviceType: 'portfolioManagement',
      clientId: overrides.clientId ?? CLIENT_1,
      owner: { firstName: 'Test', lastName: 'Person', ssn: '198003141002' },
      balance: overrides.balance ?? '0.00',
      positions: overrides.positions ?? [],
      bankAccounts: [
        {
          id: bankAccountId,
          iban: 'SE4550000000058398299999',
          bban: '5000 0583 99999',
          bank: 'Test',
          name: 'Lön',
          validated: overrides.mandate ?? true,
        },
      ],
      kyc: { order: overrides.kycOrder ?? true, withdrawal: true },
    },
    ...(overrides.allocation ? { allocation: overrides.allocation } : {}),
  });
  if (res.status !== 201) throw new Error(`createTestAccount failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { accountId, allocationPlanId: res.body.allocationPlan?.id ?? null, bankAccountId };
}
