/**
 * The modules the worker's reusable V8 context evaluates once and shares between every workflow it runs
 * (the SDK's `preloadModules` bundler option; workers/workflow-bundle.ts). Without it the context's module cache
 * is per workflow: zod, decimal.js and every schema and table of shared/ were built again for every workflow the
 * worker creates, at every start and at every replay after an eviction (~560 kB of heap and ~5 ms of CPU per
 * workflow; bench/workflow-heap.bench.ts measures it).
 *
 * Rules for what belongs here (the SDK evaluates this module before any workflow exists, then deep-freezes what
 * every preloaded module exports and every global it created):
 * - Only code without per-workflow state, and nothing that reads the clock or randomness at load (it runs before
 *   any workflow exists, outside the workflow's deterministic clock): the pure rules of shared/. Nothing that imports `@temporalio/*`
 *   (shared/messages.ts defines signals, its payload schemas are in shared/message-payloads.ts;
 *   shared/search-attributes.ts keys) and nothing of workflows/.
 * - Module-private memo caches stay writable (the freeze reaches exports only) and are shared by every workflow:
 *   they must be pure functions of their key (shared/calendar.ts's year table, @date-fns/tz's offset cache).
 * - Exported values are frozen: code must never write to them. decimal.js's constructor is exported frozen
 *   (shared/money.ts `Decimal`), so its methods that set the constructor's precision for a moment (`pow`, `ln`,
 *   `log`, `exp`, trigonometry, `toFraction`) would throw; the money code uses none of them.
 * - zod computes some of a schema's internals lazily and stores them on the schema at first use, which a frozen
 *   schema refuses. {@link settleSchemas} computes them for every schema the freeze will reach, before it.
 * - zod keeps one mutable global object, its configuration (`globalThis.__zod_globalConfig`), which it completes
 *   lazily: the error map at load, the default memoizer when the first container schema is built. The schemas
 *   below complete it before the freeze. Nothing in the project calls `z.config()`.
 */
import { z } from 'zod';
import * as allocation from '../shared/allocation';
import * as bankingDays from '../shared/banking-days.generated';
import * as calendar from '../shared/calendar';
import * as carry from '../shared/carry';
import * as currentDetails from '../shared/current-details';
import * as custodian from '../shared/custodian';
import * as cycleSplit from '../shared/cycle-split';
import * as cycleSteps from '../shared/cycle-steps';
import * as domainError from '../shared/domain-error';
import * as failureTypes from '../shared/failure-types';
import * as fixedPoint from '../shared/fixed-point';
import * as fondoCustodian from '../shared/fondo-custodian';
import * as ids from '../shared/ids';
import * as instrumentRules from '../shared/instrument-rules';
import * as ledger from '../shared/ledger';
import * as messagePayloads from '../shared/message-payloads';
import * as money from '../shared/money';
import * as nextSubmission from '../shared/next-submission';
import * as orderTimeline from '../shared/order-timeline';
import * as pii from '../shared/pii';
import * as plan from '../shared/plan';
import * as planBooks from '../shared/plan-books';
import * as planCheck from '../shared/plan-check';
import * as planSchedule from '../shared/plan-schedule';
import * as planState from '../shared/plan-state';
import * as quietPeriod from '../shared/quiet-period';
import * as rebalance from '../shared/rebalance';
import * as rebalanceSchedule from '../shared/rebalance-schedule';
import * as rebalanceTriggers from '../shared/rebalance-triggers';
import * as status from '../shared/status';
import * as zodIssues from '../shared/zod-issues';

/** The preloaded shared modules (their exports are what the SDK freezes). */
export const PRELOADED_SHARED_MODULES: readonly object[] = [
  allocation,
  bankingDays,
  calendar,
  carry,
  currentDetails,
  custodian,
  cycleSplit,
  cycleSteps,
  domainError,
  failureTypes,
  fixedPoint,
  fondoCustodian,
  ids,
  instrumentRules,
  ledger,
  messagePayloads,
  money,
  nextSubmission,
  orderTimeline,
  pii,
  plan,
  planBooks,
  planCheck,
  planSchedule,
  planState,
  quietPeriod,
  rebalance,
  rebalanceSchedule,
  rebalanceTriggers,
  status,
  zodIssues,
];

/**
 * Makes every zod schema the SDK's freeze will reach from `roots` safe to use frozen, and returns how many it settled.
 * The walk is the freeze's own: objects' own properties, getters read; functions are frozen but not walked. zod
 * stores on a schema, at first use, what it derives lazily:
 * - internals (`optin`, `propValues`, `pattern`, …): getters on the prototype of the schema's `_zod`;
 * - methods, bound to the schema at first read (`schema.safeParse`), and members derived from it: getters on the
 *   schema's prototype chain;
 * - for a container (object, array, …), whether it is recursive: its first parses decide and store it.
 * A string check with a RegExp (`.regex()`, `.email()`, …) cannot be frozen at all (zod rewinds the RegExp at every
 * parse): it throws here, at the worker's start, rather than in a workflow.
 * They are read, and the schema parsed, here, so all of it is stored before the freeze.
 */
export function settleSchemas(roots: readonly unknown[]): number {
  const seen = new WeakSet<object>();
  const stack: unknown[] = [...roots];
  let schemas = 0;
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    const internals = readQuietly(value, '_zod');
    if (internals !== null && typeof internals === 'object') {
      schemas += 1;
      const pattern = (readQuietly(internals, 'def') as { pattern?: unknown } | undefined)?.pattern;
      if (pattern instanceof RegExp) {
        // zod sets the pattern's lastIndex at every parse, which a frozen RegExp refuses: the parse would throw.
        throw new Error(`a preloaded schema checks the pattern ${String(pattern)}; test it in a refine instead`);
      }
      for (const key of getterKeys(internals)) stack.push(readQuietly(internals, key));
      for (const key of getterKeys(value)) stack.push(readQuietly(value, key));
      // A container's first parses ask whether it is recursive and store the answer (its `_zod.parse`).
      for (let parse = 0; parse < 2; parse++) safeParseQuietly(value, undefined);
    }
    for (const key of Reflect.ownKeys(value)) stack.push(readQuietly(value, key));
  }
  return schemas;
}

function safeParseQuietly(schema: object, input: unknown): void {
  const safeParse = readQuietly(schema, 'safeParse');
  if (typeof safeParse !== 'function') return;
  try {
    safeParse.call(schema, input);
  } catch {
    /* an async schema refuses a synchronous parse; nothing was stored */
  }
}

/** The accessors `object` inherits (its prototype chain up to, not including, `Object.prototype`). */
function getterKeys(object: object): PropertyKey[] {
  const keys: PropertyKey[] = [];
  for (let proto = Object.getPrototypeOf(object) as object | null; proto !== null && proto !== Object.prototype;) {
    for (const key of Reflect.ownKeys(proto)) {
      if (key !== 'constructor' && Object.getOwnPropertyDescriptor(proto, key)?.get !== undefined) keys.push(key);
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return keys;
}

/** `object[key]` (own or inherited, getters run), or undefined where reading throws (a derivation that does not apply to this schema's type). */
function readQuietly(object: object, key: PropertyKey): unknown {
  try {
    return (object as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

z.object({});
settleSchemas(PRELOADED_SHARED_MODULES);
