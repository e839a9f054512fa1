/**
 * connectivityCheck — proves the chain client → Temporal → worker → Fondo works.
 * One activity call (Fondo `/ping`); completes with both clocks. No state, no messages.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { nowIso } from './time';

const { pingFondo } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 5 },
});

export interface ConnectivityReport {
  workflowId: string;
  /** Workflow time when the check ran (ISO, UTC). */
  checkedAt: string;
  /** Fondo's `pong`: the time the request reached Fondo. */
  fondoTime: string;
}

export async function connectivityCheck(): Promise<ConnectivityReport> {
  const checkedAt = nowIso();
  const fondoTime = await pingFondo();
  return { workflowId: workflowInfo().workflowId, checkedAt, fondoTime };
}
