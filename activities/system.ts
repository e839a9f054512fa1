import { Context } from '@temporalio/activity';
import ky from 'ky';

export interface SystemDeps {
  fondoBaseUrl: string;
}

export function createSystemActivities(deps: SystemDeps) {
  return {
    /** GET /ping on Fondo; returns its `pong` timestamp. */
    async pingFondo(): Promise<string> {
      const body = await ky
        .get('ping', {
          prefixUrl: deps.fondoBaseUrl,
          retry: 0,
          timeout: 10_000,
          signal: Context.current().cancellationSignal,
        })
        .json<{ pong: string }>();
      return body.pong;
    },
  };
}
