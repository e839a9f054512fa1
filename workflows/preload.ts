/**
 * The modules the worker's reusable V8 context evaluates once and shares between every workflow it runs
 * (the SDK's `preloadModules` bundler option; workers/workflow-bundle.ts). Without it the context's module cache
 * is per workflow, and zod's own module state (its classes, checks, error map, locale: ~0.5 MB of heap) was built
 * again for every cached workflow; bench/workflow-heap.bench.ts measures it.
 *
 * Only stateless library code belongs here: the SDK evaluates this module before any workflow exists and then
 * deep-freezes what it exported and every global it created. zod keeps one mutable object, its global
 * configuration (`globalThis.__zod_globalConfig`), which it completes lazily: the error map at load, the default
 * memoizer when the first container schema is built. The container built below completes it before the freeze,
 * so no later schema needs to write to it. Nothing in the project calls `z.config()`.
 *
 * Workflow code and schemas stay per workflow: they import `@temporalio/workflow` state, decimal.js (whose
 * constructor mutates its own precision in some functions) or hold values a frozen object would break.
 */
import { z } from 'zod';

z.object({});
