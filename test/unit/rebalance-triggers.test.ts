import fc from 'fast-check';
import { stockholmTime } from '../../shared/calendar';
import { PlanRebalancePolicySchema } from '../../shared/plan';
import { measureDrift } from '../../shared/rebalance';
import {
  calendarRebalanceAt,
  driftCheckWanted,
  driftTriggers,
  inCooldown,
  startDecision,
  tradedOn,
} from '../../shared/rebalance-triggers';

const policy = (input: unknown) => PlanRebalancePolicySchema.parse(input);

describe('rebalance triggers and cooldown', () => {
  it('the next calendar run is at 10:00 Stockholm on the next scheduled banking day after the handled date', () => {
    const p = policy({ enabled: true, calendar: { frequency: 'quarterly', day: 15, month: 1 } });
    const at = calendarRebalanceAt(p, { cancelled: false, handledThrough: '2031-01-15', nowMs: 0 });
    expect(at).toBe(Date.parse(stockholmTime('2031-04-15', '10:00')));
    expect(
      calendarRebalanceAt(policy({ enabled: false, calendar: { frequency: 'monthly', day: 1 } }), {
        cancelled: false,
        handledThrough: undefined,
        nowMs: 0,
      })
    ).toBeUndefined();
    expect(calendarRebalanceAt(p, { cancelled: true, handledThrough: undefined, nowMs: 0 })).toBeUndefined();
  });

  it('cooldown runs cooldownDays from the midnight of the last run that traded', () => {
    const start = Date.parse(stockholmTime('2031-03-10', '00:00'));
    expect(inCooldown(undefined, 31, start)).toBe(false);
    expect(inCooldown('2031-03-10', 31, start + 30 * 86_400_000)).toBe(true);
    expect(inCooldown('2031-03-10', 31, start + 31 * 86_400_000)).toBe(false);
    expect(inCooldown('2031-03-10', 0, start)).toBe(false);
  });

  it('property: cooldown is over exactly cooldownDays after its start', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 366 }), fc.integer({ min: -2, max: 400 }), (days, after) => {
        const start = Date.parse(stockholmTime('2031-03-10', '00:00'));
        expect(inCooldown('2031-03-10', days, start + after * 86_400_000)).toBe(after < days);
      })
    );
  });

  it('drift is measured only when a band is set, the policy on, and nothing blocks a run', () => {
    const banded = policy({ enabled: true, band: { absolutePp: '5' } });
    const ok = { paused: false, pending: false, cooldown: false };
    expect(driftCheckWanted(banded, ok)).toBe(true);
    expect(driftCheckWanted(banded, { ...ok, paused: true })).toBe(false);
    expect(driftCheckWanted(banded, { ...ok, pending: true })).toBe(false);
    expect(driftCheckWanted(banded, { ...ok, cooldown: true })).toBe(false);
    expect(driftCheckWanted(policy({ enabled: true, calendar: { frequency: 'monthly', day: 1 } }), ok)).toBe(false);
    expect(driftCheckWanted(policy({}), ok)).toBe(false);
  });

  it('a measured drift triggers a run only outside the band', () => {
    const banded = policy({ enabled: true, band: { absolutePp: '5' } });
    const targets = [
      { instrument: 'A', percent: '50' },
      { instrument: 'B', percent: '50' },
    ];
    const drift = (a: string, b: string) =>
      measureDrift({ A: { units: a, price: '100' }, B: { units: b, price: '100' } }, targets);
    expect(driftTriggers(banded, null)).toBe(false);
    expect(driftTriggers(banded, drift('60', '40'))).toBe(true); // 10 pp off
    expect(driftTriggers(banded, drift('52', '48'))).toBe(false); // 2 pp off
  });

  it('a pending request: admin always starts; automatic ones need the policy on and the plan not paused', () => {
    const f = { enabled: true, paused: false, cooldown: false };
    expect(startDecision('admin', { enabled: false, paused: true, cooldown: true })).toEqual({ kind: 'start' });
    expect(startDecision('drift', f)).toEqual({ kind: 'start' });
    expect(startDecision('calendar', { ...f, enabled: false })).toEqual({ kind: 'drop' });
    expect(startDecision('drift', { ...f, paused: true })).toEqual({ kind: 'drop' });
    expect(startDecision('calendar', { ...f, cooldown: true })).toEqual({ kind: 'skip', why: 'in cooldown' });
  });

  it('only a run that placed orders starts a cooldown', () => {
    expect(tradedOn({ date: '2031-03-10', orders: [{}] })).toBe('2031-03-10');
    expect(tradedOn({ date: '2031-03-10', orders: [] })).toBeUndefined();
  });
});
