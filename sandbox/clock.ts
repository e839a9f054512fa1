/**
 * The sandbox's business clock and its scheduler of lifecycle steps.
 *
 * Modes:
 * - `running`: business time advances with real time × `speed` (1 = real time, 3600 = an hour per second).
 * - `manual`: business time only moves by `set`/`advance` (tests, demos stepping day by day).
 * - `follow`: business time is read from an external source (a Temporal time-skipping server in tests), before
 *   every request and on a short real-time interval.
 * Invariants: business time never moves backwards; scheduled steps run in (at, seq) order, each with its own
 * business time `at` (so records carry the time the step was due, not the time the loop noticed it).
 */
export type ClockMode = 'running' | 'manual' | 'follow';

/** A lifecycle step due at a business instant; plain data so sandbox state can be saved and restored. */
export interface ScheduledStep {
  at: number;
  seq: number;
  kind: string;
  targetId: string;
}

export interface ClockSnapshot {
  mode: ClockMode;
  speed: number;
  now: string;
}

export class BusinessClock {
  private anchorBusinessMs: number;
  private anchorRealMs: number;
  private speedFactor: number;
  private currentMode: ClockMode;
  private followSource: (() => Promise<number>) | undefined;
  private queue: ScheduledStep[] = [];
  private nextSeq = 1;
  private timer: NodeJS.Timeout | undefined;
  private processing = false;

  constructor(
    startMs: number,
    mode: ClockMode,
    speed: number,
    private readonly runStep: (step: ScheduledStep) => void,
    private readonly realNow: () => number = Date.now
  ) {
    this.anchorBusinessMs = startMs;
    this.anchorRealMs = realNow();
    this.speedFactor = speed;
    this.currentMode = mode;
  }

  /** Current business time (epoch ms). */
  now(): number {
    if (this.currentMode !== 'running') return this.anchorBusinessMs;
    return this.anchorBusinessMs + Math.floor((this.realNow() - this.anchorRealMs) * this.speedFactor);
  }

  nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  snapshot(): ClockSnapshot {
    return { mode: this.currentMode, speed: this.speedFactor, now: this.nowIso() };
  }

  /** Starts the real-time loop that runs due steps (running and follow modes). */
  start(intervalMs = 20): void {
    this.stop();
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Moves business time to `targetMs` (never backwards) and runs every step due by then. */
  set(targetMs: number): void {
    const current = this.now();
    if (targetMs < current) {
      throw new ClockError(
        `the clock cannot move backwards (now ${this.nowIso()}, asked ${new Date(targetMs).toISOString()})`
      );
    }
    this.anchorBusinessMs = targetMs;
    this.anchorRealMs = this.realNow();
    this.runDue();
  }

  advance(ms: number): void {
    if (ms < 0) throw new ClockError('the clock cannot move backwards');
    this.set(this.now() + ms);
  }

  /** Switches to `running` at `speed` (from now), or to `manual` (frozen at now). */
  setMode(mode: 'running' | 'manual', speed = this.speedFactor): void {
    if (!(speed > 0 && speed <= 1_000_000)) throw new ClockError(`speed must be in (0, 1000000], got ${speed}`);
    this.anchorBusinessMs = this.now();
    this.anchorRealMs = this.realNow();
    this.currentMode = mode;
    this.speedFactor = speed;
    this.followSource = undefined;
  }

  /** Follows an external clock (e.g. the Temporal test server's current time). */
  follow(source: () => Promise<number>): void {
    this.anchorBusinessMs = this.now();
    this.currentMode = 'follow';
    this.followSource = source;
  }

  /** In follow mode: catches up with the source; otherwise runs due steps. Called before each request. */
  async sync(): Promise<void> {
    if (this.currentMode === 'follow' && this.followSource) {
      const target = await this.followSource();
      if (target > this.anchorBusinessMs) this.set(target);
      return;
    }
    this.runDue();
  }

  schedule(at: number, kind: string, targetId: string): ScheduledStep {
    const step: ScheduledStep = { at, seq: this.nextSeq++, kind, targetId };
    // Binary insertion keeps the queue ordered by (at, seq).
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = this.queue[mid]!;
      if (other.at < at || (other.at === at && other.seq < step.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, step);
    return step;
  }

  pending(): readonly ScheduledStep[] {
    return this.queue;
  }

  /** The next step's due time, if any. */
  nextDueAt(): number | undefined {
    return this.queue[0]?.at;
  }

  /** Restores a saved queue (state-file load); sequence numbers continue after the largest one. */
  restore(steps: ScheduledStep[], nowMs: number): void {
    this.queue = [...steps].sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.nextSeq = Math.max(0, ...steps.map((s) => s.seq)) + 1;
    this.anchorBusinessMs = nowMs;
    this.anchorRealMs = this.realNow();
  }

  clear(): void {
    this.queue = [];
  }

  private async tick(): Promise<void> {
    try {
      await this.sync();
    } catch {
      // The follow source may be gone at teardown; the next request's sync reports real problems.
    }
  }

  /** Runs every step with at <= now, in order; steps may schedule further steps. Re-entrancy safe. */
  private runDue(): void {
    if (this.processing) return;
    this.processing = true;
    try {
      const now = this.now();
      for (let step = this.queue[0]; step && step.at <= now; step = this.queue[0]) {
        this.queue.shift();
        this.runStep(step);
      }
    } finally {
      this.processing = false;
    }
  }
}

export class ClockError extends Error {
  override name = 'ClockError' as const;
}
