/**
 * The plan ledger: every krona of one savings plan, from the debit to settled units, across cycles, rebalances and
 * continue-as-new. The plan workflow owns one ledger and posts every movement of money to it as a typed entry.
 *
 * Pure and deterministic (runs inside Temporal workflow code): no I/O, clock, randomness or environment. The
 * serialized ledger is plain JSON with decimal strings (small: a plan carries it across continue-as-new); inside,
 * amounts are exact BigInt öre.
 *
 * Pockets (every amount in SEK, 2 decimals):
 * - collected: money debited, per payment reference (net of refunds);
 * - settled: net money that became units — settled buys minus settled sell proceeds (negative after selling gains);
 * - in orders: buy orders placed and not yet final, per order reference;
 * - held: per fund, legs kept back while the fund is blocked (with the rule and the deadline);
 * - carried: per fund, money below the fund's minimum waiting for more (with that minimum);
 * - free: cash that belongs to the plan and to no fund — a deposit not yet split, residual, settlement remainders,
 *   refused or canceled order cash, released legs, sell proceeds, money from a failed cycle. The next pool spends it.
 *
 * Invariant, to the öre, checked after every posting: collected = settled + in orders + held + carried + free, and
 * no pocket except settled is ever negative. Every entry is a transfer between pockets, or money entering
 * (a collected payment) — so an entry that would break the invariant is refused, never half applied.
 *
 * Ageing: free cash and carried money count the cycle ends they have seen uninvested (`cycles`). Free cash is spent
 * oldest first. {@link moneyNeedingAttention} names the money uninvested for 3 cycles or more, with its fund and
 * blocking minimum when there is one.
 */
import { z } from 'zod';
import { DomainInputError, zodProblems } from './domain-error';
import { formatScaled, formatSekOre, parseScaled } from './fixed-point';
import { SEK_SCALE, SekAmountSchema, PositiveSekAmountSchema, decimalString } from './money';

/** Version of the serialized shape; a newer shape would be migrated by a pure function on read. */
export const LEDGER_VERSION = 1;
/** Cycle ends after which money still uninvested needs attention. */
export const ATTENTION_AFTER_CYCLES = 3;

const Ref = z.string().min(1).max(200);
const Instrument = z.string().min(1).max(100);
/** A signed SEK amount (the net settled pocket). */
const SignedSekSchema = decimalString({ maxScale: SEK_SCALE, negative: true });

/** Why a leg is held: the fund is not buyable / not tradable, or KYC does not allow orders. */
export const HoldRuleSchema = z.enum(['not-buyable', 'not-tradable', 'kyc']);
/** Where a piece of free cash came from. */
export const FreeReasonSchema = z.enum([
  'deposit',
  'residual',
  'settlement-remainder',
  'order-canceled',
  'order-refused',
  'released',
  'carry-released',
  'sell-proceeds',
  'failed-cycle',
]);
export const OrderStatusSchema = z.enum(['placed', 'settled', 'canceled', 'refused']);

const HeldLegSchema = z.object({
  amount: PositiveSekAmountSchema,
  rule: HoldRuleSchema,
  /** ISO instant after which the leg is no longer waited for. */
  deadline: z.string().min(1),
});
const FreeCashSchema = z.object({
  amount: PositiveSekAmountSchema,
  reason: FreeReasonSchema,
  /** The fund the money came from or was meant for, when there is one. */
  instrument: Instrument.optional(),
  /** The minimum that kept it from being invested, when one did. */
  minimum: SekAmountSchema.optional(),
  cycles: z.number().int().min(0),
});

/** The serialized ledger (JSON; decimal strings). */
export const LedgerSchema = z.object({
  version: z.literal(LEDGER_VERSION),
  /** Cycle ends posted so far. */
  cycles: z.number().int().min(0),
  /** Per payment reference: the amount debited and the part refunded (återkrav; '0.00' until such an entry exists). */
  payments: z.record(Ref, z.object({ amount: PositiveSekAmountSchema, refunded: SekAmountSchema })),
  /** Per order reference (final orders may be dropped by {@link compactLedger}; their money stays in the totals). */
  orders: z.record(
    Ref,
    z.object({
      instrument: Instrument,
      side: z.enum(['buy', 'sell']),
      /** Buy: the SEK committed. Sell: the estimated proceeds (no money moves until it settles). */
      amount: SekAmountSchema,
      status: OrderStatusSchema,
      /** Settled: the SEK that became units (buy) or the proceeds (sell). */
      settled: SekAmountSchema.optional(),
    })
  ),
  settled: SignedSekSchema,
  held: z.record(Instrument, z.array(HeldLegSchema)),
  carried: z.record(
    Instrument,
    z.object({ amount: PositiveSekAmountSchema, minimum: SekAmountSchema, cycles: z.number().int().min(0) })
  ),
  /** Oldest first (most cycles). */
  free: z.array(FreeCashSchema),
});
export type Ledger = z.infer<typeof LedgerSchema>;
export type HoldRule = z.infer<typeof HoldRuleSchema>;
export type FreeReason = z.infer<typeof FreeReasonSchema>;
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

/** Every entry the plan posts. */
export const LedgerEntrySchema = z.discriminatedUnion('kind', [
  /** A payment completed at Fondo (booked from Fondo's answer, never from a signal's payload): free cash. */
  z.object({ kind: z.literal('payment-collected'), paymentRef: Ref, amount: PositiveSekAmountSchema }),
  /** A buy placed: its amount leaves free cash (oldest first). A sell placed: recorded, no money moves. */
  z.object({
    kind: z.literal('order-placed'),
    orderRef: Ref,
    instrument: Instrument,
    side: z.enum(['buy', 'sell']),
    amount: SekAmountSchema,
  }),
  /**
   * An order settled. Buy: `amount` (units × NAV, at most the placed amount) becomes settled; the remainder is free
   * cash (`settlement-remainder`). Sell: `amount` is the proceeds, free cash (`sell-proceeds`).
   */
  z.object({ kind: z.literal('order-settled'), orderRef: Ref, amount: SekAmountSchema }),
  /** An order canceled by Fondo: a buy's money is free again (`order-canceled`). */
  z.object({ kind: z.literal('order-canceled'), orderRef: Ref }),
  /** An order refused by Fondo: a buy's money is free again (`order-refused`). */
  z.object({ kind: z.literal('order-refused'), orderRef: Ref }),
  /** A leg held for a blocked fund: leaves free cash. */
  z.object({
    kind: z.literal('leg-held'),
    instrument: Instrument,
    amount: PositiveSekAmountSchema,
    rule: HoldRuleSchema,
    deadline: z.string().min(1),
  }),
  /** Every held leg of the fund released (block cleared or deadline passed): free cash (`released`), re-decided. */
  z.object({ kind: z.literal('held-released'), instrument: Instrument }),
  /** Money carried for a fund below its minimum: leaves free cash, keeps its age. */
  z.object({
    kind: z.literal('carried'),
    instrument: Instrument,
    amount: PositiveSekAmountSchema,
    minimum: SekAmountSchema,
  }),
  /** A fund's carry joins the next pool: free cash (`carry-released`), keeping its age. */
  z.object({ kind: z.literal('carry-released'), instrument: Instrument }),
  /**
   * A cycle ended. The deposit money still free becomes `residual` (or `failed-cycle` when the cycle failed after the
   * debit), labelled with the fund and minimum that blocked it when given; free and carried money ages one cycle.
   */
  z.object({
    kind: z.literal('cycle-closed'),
    outcome: z.enum(['invested', 'failed']),
    blockedBy: z.object({ instrument: Instrument, minimum: SekAmountSchema }).optional(),
  }),
]);
/** An entry as callers write it. */
export type LedgerEntry = z.input<typeof LedgerEntrySchema>;

/** Why a posting was refused (stable strings). */
export type LedgerErrorCode =
  | 'invalid'
  | 'duplicate'
  | 'unknown-order'
  | 'order-not-open'
  | 'insufficient-free-cash'
  | 'over-settled'
  | 'nothing-held'
  | 'nothing-carried'
  | 'invariant';

/** A posting the ledger refuses; the ledger passed in is unchanged. */
export class LedgerError extends DomainInputError {
  readonly code: LedgerErrorCode;
  constructor(code: LedgerErrorCode, problems: readonly string[]) {
    super('ledger posting', problems);
    this.code = code;
  }
}

/** The totals of each pocket (SEK strings, 2 decimals; settled may be negative). */
export interface LedgerTotals {
  collected: string;
  settled: string;
  inOrders: string;
  held: string;
  carried: string;
  free: string;
}

/** Money that has stayed uninvested for {@link ATTENTION_AFTER_CYCLES} cycle ends or more. */
export interface AttentionItem {
  pocket: 'free' | 'carried';
  reason: FreeReason | 'below-minimum';
  instrument?: string;
  /** The minimum that blocks it, when one does (SEK, 2 decimals). */
  minimum?: string;
  amount: string;
  cycles: number;
  /** One English sentence, no personal data. */
  text: string;
}

/** A ledger with no money in it. */
export function emptyLedger(): Ledger {
  return {
    version: LEDGER_VERSION,
    cycles: 0,
    payments: {},
    orders: {},
    settled: '0.00',
    held: {},
    carried: {},
    free: [],
  };
}

/**
 * Posts one entry: returns a new ledger, or throws {@link LedgerError} (the given ledger is never modified).
 *
 * @throws LedgerError when the entry or ledger is malformed, repeats a reference, names an unknown or final order,
 *   spends more free cash than there is, settles a buy above its amount, releases nothing, or would break the
 *   invariant.
 */
export function post(ledger: Ledger, entry: LedgerEntry): Ledger {
  const book = read(ledger);
  const parsedEntry = LedgerEntrySchema.safeParse(entry);
  if (!parsedEntry.success) throw new LedgerError('invalid', zodProblems(parsedEntry.error));
  apply(book, parsedEntry.data);
  checkInvariant(book);
  return write(book);
}

/** Posts entries in order; all or nothing. */
export function postAll(ledger: Ledger, entries: readonly LedgerEntry[]): Ledger {
  let next = ledger;
  for (const entry of entries) next = post(next, entry);
  return next;
}

/** The totals of every pocket. @throws LedgerError on a malformed ledger. */
export function ledgerTotals(ledger: Ledger): LedgerTotals {
  const book = read(ledger);
  const t = totals(book);
  return {
    collected: sek(t.collected),
    settled: sek(book.settled),
    inOrders: sek(t.inOrders),
    held: sek(t.held),
    carried: sek(t.carried),
    free: sek(t.free),
  };
}

/**
 * The plan's free cash (what its next pool or a rebalance run may spend) in SEK — held and carried money and money
 * in orders excluded.
 */
export function freeCash(ledger: Ledger): string {
  return ledgerTotals(ledger).free;
}

/**
 * Which money needs attention: free cash grouped by reason, fund and minimum, and each fund's carried money, whose
 * oldest part has seen `afterCycles` cycle ends or more uninvested — the whole group's amount, largest first (ties:
 * fund id, then reason). Each names the fund and the blocking minimum when the ledger knows them.
 */
export function moneyNeedingAttention(ledger: Ledger, afterCycles = ATTENTION_AFTER_CYCLES): AttentionItem[] {
  const book = read(ledger);
  const groups = new Map<string, { item: Omit<AttentionItem, 'amount' | 'text'>; ore: bigint }>();
  for (const bucket of book.free) {
    const key = `${bucket.reason}\u0000${bucket.instrument ?? ''}\u0000${bucket.minimum ?? ''}`;
    const group = groups.get(key);
    if (group === undefined) {
      groups.set(key, {
        item: {
          pocket: 'free',
          reason: bucket.reason,
          cycles: bucket.cycles,
          ...(bucket.instrument === undefined ? {} : { instrument: bucket.instrument }),
          ...(bucket.minimum === undefined ? {} : { minimum: sek(bucket.minimum) }),
        },
        ore: bucket.ore,
      });
    } else {
      group.ore += bucket.ore;
      if (bucket.cycles > group.item.cycles) group.item.cycles = bucket.cycles;
    }
  }
  const items: AttentionItem[] = [];
  for (const { item, ore: amountOre } of groups.values()) {
    if (item.cycles < afterCycles) continue;
    items.push({ ...item, amount: sek(amountOre), text: attentionText(item, amountOre) });
  }
  for (const [instrument, carry] of book.carried) {
    if (carry.cycles < afterCycles) continue;
    const item = {
      pocket: 'carried' as const,
      reason: 'below-minimum' as const,
      instrument,
      minimum: sek(carry.minimum),
      cycles: carry.cycles,
    };
    items.push({ ...item, amount: sek(carry.ore), text: attentionText(item, carry.ore) });
  }
  return items.sort(
    (a, b) =>
      compareOre(b.amount, a.amount) ||
      compareText(a.instrument ?? '', b.instrument ?? '') ||
      compareText(a.pocket + a.reason, b.pocket + b.reason)
  );
}

/**
 * Drops final orders (settled, canceled, refused) to keep the serialized ledger small before continue-as-new; their
 * money stays in the totals. A dropped reference is no longer recognized, so compact only orders the plan will never
 * post about again (e.g. those of closed cycles).
 */
export function compactLedger(ledger: Ledger, keep: (orderRef: string) => boolean = () => false): Ledger {
  const book = read(ledger);
  for (const [ref, order] of book.orders) {
    if (order.status !== 'placed' && !keep(ref)) book.orders.delete(ref);
  }
  checkInvariant(book);
  return write(book);
}

// ---------------------------------------------------------------------------------------------------------------
// The ledger in exact integers.

interface Book {
  cycles: number;
  payments: Map<string, { ore: bigint; refunded: bigint }>;
  orders: Map<string, { instrument: string; side: 'buy' | 'sell'; ore: bigint; status: OrderStatus; settled?: bigint }>;
  settled: bigint;
  held: Map<string, { ore: bigint; rule: HoldRule; deadline: string }[]>;
  carried: Map<string, { ore: bigint; minimum: bigint; cycles: number }>;
  free: Bucket[];
}

interface Bucket {
  ore: bigint;
  reason: FreeReason;
  instrument?: string;
  minimum?: bigint;
  cycles: number;
}

function ore(value: string): bigint {
  const parsed = parseScaled(value, SEK_SCALE);
  if (parsed === undefined) throw new LedgerError('invalid', [`"${value}" is not an SEK amount`]);
  return parsed;
}

function sek(value: bigint): string {
  return formatScaled(value, SEK_SCALE);
}

function read(ledger: Ledger): Book {
  const parsed = LedgerSchema.safeParse(ledger);
  if (!parsed.success)
    throw new LedgerError(
      'invalid',
      zodProblems(parsed.error).map((p) => `ledger.${p}`)
    );
  const l = parsed.data;
  const book: Book = {
    cycles: l.cycles,
    payments: new Map(),
    orders: new Map(),
    settled: ore(l.settled),
    held: new Map(),
    carried: new Map(),
    free: [],
  };
  for (const [ref, p] of Object.entries(l.payments)) {
    book.payments.set(ref, { ore: ore(p.amount), refunded: ore(p.refunded) });
  }
  for (const [ref, o] of Object.entries(l.orders)) {
    book.orders.set(ref, {
      instrument: o.instrument,
      side: o.side,
      ore: ore(o.amount),
      status: o.status,
      ...(o.settled === undefined ? {} : { settled: ore(o.settled) }),
    });
  }
  for (const [instrument, legs] of Object.entries(l.held)) {
    if (legs.length > 0) {
      book.held.set(
        instrument,
        legs.map((leg) => ({ ore: ore(leg.amount), rule: leg.rule, deadline: leg.deadline }))
      );
    }
  }
  for (const [instrument, c] of Object.entries(l.carried)) {
    book.carried.set(instrument, { ore: ore(c.amount), minimum: ore(c.minimum), cycles: c.cycles });
  }
  for (const f of l.free) {
    book.free.push({
      ore: ore(f.amount),
      reason: f.reason,
      cycles: f.cycles,
      ...(f.instrument === undefined ? {} : { instrument: f.instrument }),
      ...(f.minimum === undefined ? {} : { minimum: ore(f.minimum) }),
    });
  }
  checkInvariant(book);
  return book;
}

function write(book: Book): Ledger {
  const ledger = emptyLedger();
  ledger.cycles = book.cycles;
  for (const [ref, p] of book.payments) ledger.payments[ref] = { amount: sek(p.ore), refunded: sek(p.refunded) };
  for (const [ref, o] of book.orders) {
    ledger.orders[ref] = {
      instrument: o.instrument,
      side: o.side,
      amount: sek(o.ore),
      status: o.status,
      ...(o.settled === undefined ? {} : { settled: sek(o.settled) }),
    };
  }
  ledger.settled = sek(book.settled);
  for (const [instrument, legs] of book.held) {
    ledger.held[instrument] = legs.map((leg) => ({ amount: sek(leg.ore), rule: leg.rule, deadline: leg.deadline }));
  }
  for (const [instrument, c] of book.carried) {
    ledger.carried[instrument] = { amount: sek(c.ore), minimum: sek(c.minimum), cycles: c.cycles };
  }
  ledger.free = book.free.map((b) => ({
    amount: sek(b.ore),
    reason: b.reason,
    ...(b.instrument === undefined ? {} : { instrument: b.instrument }),
    ...(b.minimum === undefined ? {} : { minimum: sek(b.minimum) }),
    cycles: b.cycles,
  }));
  return ledger;
}

function totals(book: Book) {
  let collected = 0n;
  for (const p of book.payments.values()) collected += p.ore - p.refunded;
  let inOrders = 0n;
  for (const o of book.orders.values()) if (o.side === 'buy' && o.status === 'placed') inOrders += o.ore;
  let held = 0n;
  for (const legs of book.held.values()) for (const leg of legs) held += leg.ore;
  let carried = 0n;
  for (const c of book.carried.values()) carried += c.ore;
  let free = 0n;
  for (const b of book.free) free += b.ore;
  return { collected, inOrders, held, carried, free };
}

function checkInvariant(book: Book): void {
  const t = totals(book);
  const accounted = book.settled + t.inOrders + t.held + t.carried + t.free;
  if (t.collected !== accounted) {
    throw new LedgerError('invariant', [
      `collected ${formatSekOre(t.collected)} ≠ settled ${formatSekOre(book.settled)} + in orders ` +
        `${formatSekOre(t.inOrders)} + held ${formatSekOre(t.held)} + carried ${formatSekOre(t.carried)} + free ` +
        `${formatSekOre(t.free)}`,
    ]);
  }
  if (book.free.some((b) => b.ore <= 0n))
    throw new LedgerError('invariant', ['free cash has an empty or negative part']);
}

/** Adds free cash, keeping the list oldest first (a new part goes after the parts at least as old). */
function addFree(book: Book, bucket: Bucket): void {
  if (bucket.ore === 0n) return;
  let at = book.free.length;
  while (at > 0 && (book.free[at - 1] as Bucket).cycles < bucket.cycles) at--;
  const previous = book.free[at - 1];
  if (
    previous !== undefined &&
    previous.cycles === bucket.cycles &&
    previous.reason === bucket.reason &&
    previous.instrument === bucket.instrument &&
    previous.minimum === bucket.minimum
  ) {
    previous.ore += bucket.ore;
    return;
  }
  book.free.splice(at, 0, bucket);
}

/** Takes `amount` of free cash, oldest first; returns the most cycles among the parts taken. */
function drawFree(book: Book, amount: bigint, purpose: string): number {
  let available = 0n;
  for (const b of book.free) available += b.ore;
  if (available < amount) {
    throw new LedgerError('insufficient-free-cash', [
      `${purpose} needs ${formatSekOre(amount)} but the plan has ${formatSekOre(available)} of free cash`,
    ]);
  }
  let left = amount;
  let oldest = 0;
  while (left > 0n) {
    const head = book.free[0] as Bucket;
    if (head.cycles > oldest) oldest = head.cycles;
    if (head.ore <= left) {
      left -= head.ore;
      book.free.shift();
    } else {
      head.ore -= left;
      left = 0n;
    }
  }
  return oldest;
}

function openOrder(book: Book, ref: string) {
  const order = book.orders.get(ref);
  if (order === undefined) throw new LedgerError('unknown-order', [`order ${ref} is not in the ledger`]);
  if (order.status !== 'placed') throw new LedgerError('order-not-open', [`order ${ref} is already ${order.status}`]);
  return order;
}

function apply(book: Book, entry: z.infer<typeof LedgerEntrySchema>): void {
  switch (entry.kind) {
    case 'payment-collected': {
      if (book.payments.has(entry.paymentRef)) {
        throw new LedgerError('duplicate', [`payment ${entry.paymentRef} is already collected`]);
      }
      const amount = ore(entry.amount);
      book.payments.set(entry.paymentRef, { ore: amount, refunded: 0n });
      addFree(book, { ore: amount, reason: 'deposit', cycles: 0 });
      return;
    }
    case 'order-placed': {
      if (book.orders.has(entry.orderRef)) {
        throw new LedgerError('duplicate', [`order ${entry.orderRef} is already in the ledger`]);
      }
      const amount = ore(entry.amount);
      if (entry.side === 'buy') {
        if (amount === 0n) throw new LedgerError('invalid', ['amount: a buy must be greater than zero']);
        drawFree(book, amount, `buy ${entry.orderRef}`);
      }
      book.orders.set(entry.orderRef, {
        instrument: entry.instrument,
        side: entry.side,
        ore: amount,
        status: 'placed',
      });
      return;
    }
    case 'order-settled': {
      const order = openOrder(book, entry.orderRef);
      const amount = ore(entry.amount);
      order.status = 'settled';
      order.settled = amount;
      if (order.side === 'buy') {
        if (amount > order.ore) {
          throw new LedgerError('over-settled', [
            `order ${entry.orderRef} settled ${formatSekOre(amount)}, more than its ${formatSekOre(order.ore)}`,
          ]);
        }
        book.settled += amount;
        addFree(book, {
          ore: order.ore - amount,
          reason: 'settlement-remainder',
          instrument: order.instrument,
          cycles: 0,
        });
      } else {
        book.settled -= amount;
        addFree(book, { ore: amount, reason: 'sell-proceeds', instrument: order.instrument, cycles: 0 });
      }
      return;
    }
    case 'order-canceled':
    case 'order-refused': {
      const order = openOrder(book, entry.orderRef);
      order.status = entry.kind === 'order-canceled' ? 'canceled' : 'refused';
      if (order.side === 'buy')
        addFree(book, {
          ore: order.ore,
          reason: order.status === 'canceled' ? 'order-canceled' : 'order-refused',
          instrument: order.instrument,
          cycles: 0,
        });
      return;
    }
    case 'leg-held': {
      const amount = ore(entry.amount);
      drawFree(book, amount, `holding ${entry.instrument}`);
      const legs = book.held.get(entry.instrument) ?? [];
      legs.push({ ore: amount, rule: entry.rule, deadline: entry.deadline });
      book.held.set(entry.instrument, legs);
      return;
    }
    case 'held-released': {
      const legs = book.held.get(entry.instrument);
      if (legs === undefined) throw new LedgerError('nothing-held', [`nothing is held for ${entry.instrument}`]);
      book.held.delete(entry.instrument);
      let amount = 0n;
      for (const leg of legs) amount += leg.ore;
      addFree(book, { ore: amount, reason: 'released', instrument: entry.instrument, cycles: 0 });
      return;
    }
    case 'carried': {
      const amount = ore(entry.amount);
      const age = drawFree(book, amount, `carrying ${entry.instrument}`);
      const existing = book.carried.get(entry.instrument);
      book.carried.set(entry.instrument, {
        ore: (existing?.ore ?? 0n) + amount,
        minimum: ore(entry.minimum),
        cycles: Math.max(existing?.cycles ?? 0, age),
      });
      return;
    }
    case 'carry-released': {
      const carry = book.carried.get(entry.instrument);
      if (carry === undefined) throw new LedgerError('nothing-carried', [`nothing is carried for ${entry.instrument}`]);
      book.carried.delete(entry.instrument);
      addFree(book, {
        ore: carry.ore,
        reason: 'carry-released',
        instrument: entry.instrument,
        minimum: carry.minimum,
        cycles: carry.cycles,
      });
      return;
    }
    case 'cycle-closed': {
      const label: FreeReason = entry.outcome === 'failed' ? 'failed-cycle' : 'residual';
      const blockedBy = entry.blockedBy;
      const parts = book.free;
      book.free = [];
      for (const part of parts) {
        const relabel = part.reason === 'deposit';
        addFree(book, {
          ore: part.ore,
          reason: relabel ? label : part.reason,
          cycles: part.cycles + 1,
          ...(relabel
            ? blockedBy === undefined
              ? {}
              : { instrument: blockedBy.instrument, minimum: ore(blockedBy.minimum) }
            : {
                ...(part.instrument === undefined ? {} : { instrument: part.instrument }),
                ...(part.minimum === undefined ? {} : { minimum: part.minimum }),
              }),
        });
      }
      for (const carry of book.carried.values()) carry.cycles += 1;
      book.cycles += 1;
      return;
    }
  }
}

const REASON_TEXT: Record<FreeReason | 'below-minimum', string> = {
  deposit: 'deposit not yet split',
  residual: 'residual no fund could take',
  'settlement-remainder': 'settlement remainders',
  'order-canceled': 'cash of canceled orders',
  'order-refused': 'cash of refused orders',
  released: 'released held legs',
  'carry-released': 'carried money released to the pool',
  'sell-proceeds': 'sell proceeds',
  'failed-cycle': 'money of a cycle that failed after the debit',
  'below-minimum': 'carried below the fund minimum',
};

function attentionText(item: Omit<AttentionItem, 'amount' | 'text'>, amountOre: bigint): string {
  const fund = item.instrument === undefined ? '' : ` for ${item.instrument}`;
  const minimum =
    item.minimum === undefined ? '' : `, blocked by the fund's minimum of ${formatSekOre(ore(item.minimum))}`;
  return (
    `${formatSekOre(amountOre)} ${item.pocket === 'carried' ? 'carried' : 'free cash'}${fund} ` +
    `(${REASON_TEXT[item.reason]}) has stayed uninvested for ${item.cycles} cycle${item.cycles === 1 ? '' : 's'}${minimum}.`
  );
}

function compareOre(a: string, b: string): number {
  const x = ore(a);
  const y = ore(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

function compareText(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}
