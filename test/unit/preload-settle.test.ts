import { z } from 'zod';
import { settleSchemas } from '../../workflows/preload';

/**
 * workflows/preload.ts settles every schema the worker's preloaded modules export before the SDK deep-freezes
 * them (the real freeze in the real context: test/workflows/workflow-preload.test.ts). Here the rule itself, on
 * schemas frozen the way the SDK freezes (own properties of objects, recursively; functions frozen, not walked).
 */
function freezeLikeTheSdk(value: unknown, seen = new WeakSet<object>()): void {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) return;
  seen.add(value);
  if (typeof value === 'object') {
    for (const key of Reflect.ownKeys(value)) {
      try {
        freezeLikeTheSdk((value as Record<PropertyKey, unknown>)[key], seen);
      } catch {
        /* as the SDK: some objects cannot be frozen */
      }
    }
  }
  Object.freeze(value);
}

describe('settleSchemas: zod schemas usable once frozen', () => {
  it('an unsettled frozen schema throws at its first use (why the settling exists)', () => {
    const schema = z.object({ amount: z.string().min(1) });
    freezeLikeTheSdk({ schema });
    expect(() => schema.safeParse({ amount: '1' })).toThrow(TypeError);
  });

  it('a settled frozen schema parses, refuses, and derives new schemas', () => {
    const leaf = z.object({ id: z.string().min(1), units: z.array(z.string()).optional() });
    const exportsOfAModule = {
      PlanLike: z.object({ leaf, tag: z.enum(['a', 'b']), amounts: z.record(z.string(), z.string()) }).strict(),
      Union: z.union([leaf, z.null()]),
    };
    expect(settleSchemas([exportsOfAModule])).toBeGreaterThan(5);
    freezeLikeTheSdk(exportsOfAModule);
    const { PlanLike, Union } = exportsOfAModule;
    expect(Object.isFrozen(PlanLike)).toBe(true);

    const valid = { leaf: { id: 'x', units: ['1'] }, tag: 'a', amounts: { f: '1.00' } };
    expect(PlanLike.parse(valid)).toEqual(valid);
    const refused = PlanLike.safeParse({ ...valid, tag: 'c', extra: 1 });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((issue) => issue.code).sort()).toEqual(['invalid_value', 'unrecognized_keys']);
    expect(Union.safeParse(null).success).toBe(true);
    expect(PlanLike.extend({ more: z.number() }).safeParse({ ...valid, more: 1 }).success).toBe(true);
    expect(PlanLike.shape.leaf.partial().safeParse({}).success).toBe(true);
    expect(PlanLike.optional().nullable().safeParse(undefined).success).toBe(true);
  });

  it('a string check with a RegExp is refused at settling: zod rewinds the RegExp at every parse', () => {
    expect(() => settleSchemas([{ Id: z.string().regex(/^[a-z]+$/) }])).toThrow(
      'a preloaded schema checks the pattern /^[a-z]+$/; test it in a refine instead'
    );
  });
});
