import { Context } from '@temporalio/activity';
import type { FondoClient } from '../fondo';
import { fondoCall } from './fondo-failure';

export function createSystemActivities(fondo: FondoClient) {
  return {
    /** GET /ping on Fondo; returns its `pong` timestamp. */
    async pingFondo(): Promise<string> {
      const { pong } = await fondoCall(() => fondo.ping({ signal: Context.current().cancellationSignal }));
      return pong;
    },
  };
}
