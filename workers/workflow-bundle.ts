/**
 * The one webpack configuration for the workflow bundle. Every place that bundles workflows uses it: the worker
 * (workers/worker.ts), the tests' global setup and workflowBundle() (test/helpers/), and the bundle test.
 *
 * The worker's own workflow code carries no holiday engine: shared/calendar.ts reads a generated banking-day table
 * (shared/banking-days.generated.ts). Every cached workflow evaluates the bundle's modules again (the SDK's reusable
 * V8 context keeps a module cache per workflow), so date-holidays, moment, moment-timezone and astronomia in the
 * bundle cost every cached plan their module state; test/workflows/workflow-bundle.test.ts keeps them out. zod,
 * decimal.js and the pure rules of shared/ (their schemas and tables: ~80 % of what a cached workflow held) are
 * preloaded once per context instead ({@link PRELOADED_MODULES}, workflows/preload.ts; bench/workflow-heap.bench.ts
 * measures it).
 *
 * Workflow code that does import date-holidays (the bundle probe of that test does, to compare the engine inside a
 * bundle with Node) still gets the reductions below. Without them webpack would inline large things never used:
 * - moment-timezone's full tz database (`data/packed/latest.json`). date-holidays-parser and caldate use
 *   moment-timezone only for the zones named in the holiday data we keep, and for 'GMT', the default zone of
 *   equinox rules. The hook swaps in a copy filtered to those zones and the links they need. The copy is
 *   generated from the installed package at bundle time.
 * - moment's ~130 locales, which webpack pulls in through moment's dynamic `require('./locale/' + name)`. Nothing
 *   in the stack sets a moment locale, so the hook leaves them out (webpack's IgnorePlugin, the classic pattern).
 *   moment then fails to load a locale inside its own try/catch, as it does for an unknown one.
 * - date-holidays' data for every country. Only SE (plus any country its rules reference through `_days`) and all
 *   shared holiday names are kept. Looking up any other country throws, so a `new Holidays('NO')` in workflow code
 *   fails loudly instead of silently finding no holidays. Add the country to {@link HOLIDAY_COUNTRIES} in that case.
 * - all of astronomia. date-holidays-parser and date-chinese import a few sub-modules through astronomia's index
 *   (`import { julian } from 'astronomia'`), and the index drags in all ~60. Each such import gets a module that
 *   re-exports only the names it imports, from the same files.
 *
 * The generated files go to os.tmpdir(). They are named by content hash, written atomically, and never
 * committed. test/workflows/workflow-bundle.test.ts runs the calendar and the holiday engine inside this bundle
 * and checks them against Node.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, type BundleOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { STOCKHOLM_TIME_ZONE } from '../shared/calendar';

type WebpackConfiguration = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];
type WebpackPlugin = NonNullable<WebpackConfiguration['plugins']>[number];
type BundlerLogger = NonNullable<BundleOptions['logger']>;

/** What webpack's NormalModuleReplacementPlugin hands a replacement function (the part used here). */
interface ResolveData {
  request?: string;
  contextInfo?: { issuer?: string };
  createData: { resource?: string };
}

/** The parts of the webpack module this file uses. */
interface WebpackPlugins {
  IgnorePlugin: new (options: { resourceRegExp: RegExp; contextRegExp?: RegExp }) => WebpackPlugin;
  NormalModuleReplacementPlugin: new (
    resourceRegExp: RegExp,
    newResource: (resolveData: ResolveData) => void
  ) => WebpackPlugin;
}

/** The single workflowsPath of the worker: every workflow it runs. */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * The countries whose date-holidays data the bundle keeps. shared/calendar.ts constructs `new Holidays('SE', …)`.
 */
export const HOLIDAY_COUNTRIES: readonly string[] = ['SE'];

/** date-holidays-parser's default zone for equinox/solstice rules that name none (src/Parser.js, `_equinox`). */
const EQUINOX_DEFAULT_ZONE = 'GMT';

const MOMENT_TZ_DATA = /[\\/]moment-timezone[\\/]data[\\/]packed[\\/]latest\.json$/;
const DATE_HOLIDAYS_DATA = /[\\/]date-holidays[\\/]src[\\/]data\.js$/;
const GENERATED_DIR = path.join(os.tmpdir(), 'fondo-workflow-bundle');

/**
 * The webpack that @temporalio/worker bundles with. It is loaded through the same module system as the
 * worker (Jest's registry under Jest), so the plugins below are that webpack's own classes.
 */
function bundlerWebpack(): WebpackPlugins {
  const webpackPath = require.resolve('webpack', { paths: [path.dirname(require.resolve('@temporalio/worker'))] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved from @temporalio/worker, not ours
  return require(webpackPath) as WebpackPlugins;
}

/** Writes generated content to a content-addressed file (atomically; concurrent bundlers write the same bytes). */
function writeGenerated(baseName: string, extension: string, content: string): string {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 16);
  const file = path.join(GENERATED_DIR, `${baseName}-${hash}.${extension}`);
  if (!existsSync(file)) {
    mkdirSync(GENERATED_DIR, { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  }
  return file;
}

// ---------------------------------------------------------------------------------------------------------
// date-holidays: keep the countries the calendar uses
// ---------------------------------------------------------------------------------------------------------

interface HolidayData {
  holidays: Record<string, unknown>;
  [key: string]: unknown;
}

const DATA_MODULE_PREFIX = 'export const data = ';

/** Reads date-holidays' `src/data.js`, which is `export const data = <JSON>`. */
function readHolidayData(file: string): HolidayData {
  const source = readFileSync(file, 'utf8');
  const body = source.startsWith(DATA_MODULE_PREFIX) ? source.slice(DATA_MODULE_PREFIX.length).trim() : undefined;
  let data: unknown;
  try {
    data = body === undefined ? undefined : JSON.parse(body.replace(/;$/, ''));
  } catch {
    data = undefined;
  }
  const holidays = (data as Partial<HolidayData> | undefined)?.holidays;
  if (typeof holidays !== 'object' || holidays === null) {
    throw new Error(
      `${file} is no longer "${DATA_MODULE_PREFIX}<JSON>" with a "holidays" object; review workers/workflow-bundle.ts`
    );
  }
  return data as HolidayData;
}

/** Calls `visit` with every (key, value) pair inside `value`, recursively. */
function walk(value: unknown, visit: (key: string, value: unknown) => void): void {
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    visit(key, child);
    walk(child, visit);
  }
}

/** The requested countries plus those their rules reference with `_days` (a country code or a path from one). */
function countriesToKeep(holidays: Record<string, unknown>, requested: readonly string[]): Set<string> {
  const keep = new Set<string>();
  const pending = [...requested];
  for (let code = pending.pop(); code !== undefined; code = pending.pop()) {
    if (keep.has(code)) continue;
    if (!(code in holidays)) throw new Error(`date-holidays has no data for country ${code}`);
    keep.add(code);
    walk(holidays[code], (key, value) => {
      if (key !== '_days') return;
      const reference: unknown = Array.isArray(value) ? value[0] : value;
      if (typeof reference === 'string') pending.push(reference);
    });
  }
  return keep;
}

/** A module with the same `data` export as date-holidays' own, minus the data of other countries. */
function holidayDataModule(data: HolidayData, keep: ReadonlySet<string>, source: string): string {
  const kept = Object.fromEntries(Object.entries(data.holidays).filter(([code]) => keep.has(code)));
  return [
    `// Generated by workers/workflow-bundle.ts from ${source}: only ${[...keep].join(', ')}.`,
    `const kept = ${JSON.stringify(kept)};`,
    `const order = ${JSON.stringify(Object.keys(data.holidays))};`,
    'const holidays = {};',
    'for (const code of order) {',
    '  if (Object.prototype.hasOwnProperty.call(kept, code)) holidays[code] = kept[code];',
    '  else Object.defineProperty(holidays, code, { enumerable: true, get() {',
    '    throw new Error(`date-holidays data for ${code} is not in the workflow bundle; add it to HOLIDAY_COUNTRIES in workers/workflow-bundle.ts`);',
    '  } });',
    '}',
    `export const data = { ...${JSON.stringify({ ...data, holidays: undefined })}, holidays };`,
    '',
  ].join('\n');
}

/** The time-zone names the kept holiday data can hand to moment-timezone. */
function zonesUsedBy(countries: readonly unknown[]): Set<string> {
  const zones = new Set<string>();
  // date-holidays-parser's equinox grammar: "march equinox in Asia/Tokyo"; offsets ("in +08:00") need no zone.
  const equinoxZone = /^(?:march|june|september|december) (?:equinox|solstice) in (\S+)/i;
  for (const country of countries) {
    walk(country, (key, value) => {
      if (key === 'zones' && Array.isArray(value)) {
        for (const zone of value) if (typeof zone === 'string') zones.add(zone);
      }
      const zone = equinoxZone.exec(key)?.[1];
      if (zone !== undefined && !/^[+-]\d{2}:\d{2}$/.test(zone)) zones.add(zone);
    });
  }
  return zones;
}

// ---------------------------------------------------------------------------------------------------------
// moment-timezone: keep the zones (and links) that can be asked for
// ---------------------------------------------------------------------------------------------------------

/** moment-timezone's packed data: zones "Name|…", links "Target|Alias", countries "CC|Zone Zone…". */
interface PackedTzData {
  version: string;
  zones: string[];
  links: string[];
  countries?: string[];
}

/** moment-timezone's own name normalisation (moment-timezone.js, `normalizeName`). */
function normalizeZoneName(name: string): string {
  return name.toLowerCase().replace(/\//g, '_');
}

/** Keeps the packed zones and links needed to look up `wanted` by name, following link chains; throws if one is missing. */
export function filterTzData(data: PackedTzData, wanted: Iterable<string>): PackedTzData {
  const zoneByName = new Map(data.zones.map((zone) => [normalizeZoneName(zone.split('|')[0] ?? ''), zone]));
  const linkByAlias = new Map(data.links.map((link) => [normalizeZoneName(link.split('|')[1] ?? ''), link]));
  const zones = new Set<string>();
  const links = new Set<string>();
  for (const name of wanted) {
    const seen = new Set<string>();
    for (let current = normalizeZoneName(name); ;) {
      if (seen.has(current)) throw new Error(`moment-timezone links loop at ${name}`);
      seen.add(current);
      const zone = zoneByName.get(current);
      if (zone !== undefined) {
        zones.add(zone);
        break;
      }
      const link = linkByAlias.get(current);
      if (link === undefined) throw new Error(`moment-timezone ${data.version} has no zone or link named ${name}`);
      links.add(link);
      current = normalizeZoneName(link.split('|')[0] ?? '');
    }
  }
  const keptNames = new Set(
    [...zones].map((zone) => zone.split('|')[0]).concat([...links].map((link) => link.split('|')[1]))
  );
  const countries = (data.countries ?? []).flatMap((entry) => {
    const [code, names = ''] = entry.split('|');
    const kept = names.split(' ').filter((name) => keptNames.has(name));
    return kept.length > 0 ? [`${code}|${kept.join(' ')}`] : [];
  });
  // Keep the package's order, so the filtered file only depends on the package and the wanted names.
  return {
    version: data.version,
    zones: data.zones.filter((zone) => zones.has(zone)),
    links: data.links.filter((link) => links.has(link)),
    countries,
  };
}

// ---------------------------------------------------------------------------------------------------------
// astronomia: only the sub-modules an importer names
// ---------------------------------------------------------------------------------------------------------

/** astronomia's index: `export { default as julian } from './julian.js'`, one line per sub-module. */
const ASTRONOMIA_INDEX_EXPORT = /^export \{ default as (\w+) \} from '(\.\/[\w-]+\.js)'$/;
const ASTRONOMIA_NAMED_IMPORT = /\bimport\s*\{([^}]*)\}\s*from\s*'astronomia'/g;

/**
 * A module that re-exports from astronomia exactly the names `issuer` imports (`import { julian } from 'astronomia'`),
 * each from its own file, so webpack leaves out the ~60 sub-modules nobody imports; undefined when the issuer uses
 * astronomia in any other way or names something the index does not export, which keeps the full index.
 */
function astronomiaShimFor(issuer: string): string | undefined {
  // The ESM index webpack would pick (package.json exports "." import), next to the CommonJS one Node resolves.
  const cjsIndex = require.resolve('astronomia', { paths: [path.dirname(issuer)] });
  const indexFile = path.join(path.dirname(path.dirname(cjsIndex)), 'src', 'index.js');
  if (!existsSync(indexFile)) return undefined;
  const exportsByName = new Map<string, string>();
  for (const line of readFileSync(indexFile, 'utf8').split('\n')) {
    const match = ASTRONOMIA_INDEX_EXPORT.exec(line.trim());
    if (match?.[1] && match[2]) exportsByName.set(match[1], path.join(path.dirname(indexFile), match[2]));
  }
  const source = readFileSync(issuer, 'utf8');
  const imports = [...source.matchAll(ASTRONOMIA_NAMED_IMPORT)];
  const mentions = source.match(/['"]astronomia['"]/g)?.length ?? 0;
  if (imports.length === 0 || imports.length !== mentions) return undefined;
  const names = new Set(imports.flatMap((match) => (match[1] ?? '').split(',').map((name) => name.trim())));
  names.delete('');
  const lines = [`// Generated by workers/workflow-bundle.ts for ${issuer}.`];
  for (const name of [...names].sort()) {
    const file = exportsByName.get(name);
    if (!/^\w+$/.test(name) || file === undefined) return undefined;
    lines.push(`export { default as ${name} } from ${JSON.stringify(file)};`);
  }
  return writeGenerated('astronomia', 'js', `${lines.join('\n')}\n`);
}

// ---------------------------------------------------------------------------------------------------------
// The hook and the bundle
// ---------------------------------------------------------------------------------------------------------

/** The date-holidays data module shared/calendar.ts uses (the package's ESM build, which webpack picks). */
function holidayDataFile(): string {
  return path.join(path.dirname(require.resolve('date-holidays/package.json')), 'src/data.js');
}

/**
 * Adds the reductions described at the top of this file to the Temporal bundler's webpack configuration.
 */
export function workflowWebpackConfigHook(config: WebpackConfiguration): WebpackConfiguration {
  const webpack = bundlerWebpack();
  const dataFile = holidayDataFile();
  const data = readHolidayData(dataFile);
  const keep = countriesToKeep(data.holidays, HOLIDAY_COUNTRIES);
  const wantedZones = new Set([
    STOCKHOLM_TIME_ZONE,
    EQUINOX_DEFAULT_ZONE,
    ...zonesUsedBy([...keep].map((code) => data.holidays[code])),
  ]);

  return {
    ...config,
    plugins: [
      ...(config.plugins ?? []),
      new webpack.IgnorePlugin({ resourceRegExp: /^\.\/locale$/, contextRegExp: /[\\/]moment$/ }),
      new webpack.NormalModuleReplacementPlugin(MOMENT_TZ_DATA, ({ createData }) => {
        const file = createData.resource;
        if (file === undefined || !MOMENT_TZ_DATA.test(file)) return;
        const filtered = filterTzData(JSON.parse(readFileSync(file, 'utf8')) as PackedTzData, wantedZones);
        createData.resource = writeGenerated('moment-timezone-data', 'json', JSON.stringify(filtered));
      }),
      new webpack.NormalModuleReplacementPlugin(/^astronomia$/, (resolveData) => {
        const issuer = resolveData.contextInfo?.issuer;
        if (resolveData.request !== 'astronomia' || !issuer) return;
        const shim = astronomiaShimFor(issuer);
        if (shim !== undefined) resolveData.request = shim;
      }),
      new webpack.NormalModuleReplacementPlugin(DATE_HOLIDAYS_DATA, ({ createData }) => {
        const file = createData.resource;
        if (file === undefined || !DATE_HOLIDAYS_DATA.test(file)) return;
        // The moment-timezone zones were chosen from this project's date-holidays; a second copy could need others.
        if (path.resolve(file) !== path.resolve(dataFile)) {
          throw new Error(`unexpected second date-holidays at ${file}; review workers/workflow-bundle.ts`);
        }
        createData.resource = writeGenerated('date-holidays-data', 'js', holidayDataModule(data, keep, dataFile));
      }),
    ],
  };
}

/**
 * Modules evaluated once per reusable V8 context and shared by every workflow in it, instead of once per cached
 * workflow (the SDK's `preloadModules`): zod, decimal.js and the pure rules of shared/, through workflows/preload.ts,
 * which says what may be preloaded and settles the schemas before the SDK freezes them.
 */
export const PRELOADED_MODULES: readonly string[] = [require.resolve('../workflows/preload')];

/** Options for bundling workflows: the worker's workflowsPath (or a test's own) with the shared webpack hook. */
export function workflowBundleOptions(options: { workflowsPath?: string; logger?: BundlerLogger } = {}): BundleOptions {
  return {
    workflowsPath: options.workflowsPath ?? WORKFLOWS_PATH,
    webpackConfigHook: workflowWebpackConfigHook,
    preloadModules: [...PRELOADED_MODULES],
    ...(options.logger && { logger: options.logger }),
  };
}

/** Bundles the workflows with {@link workflowBundleOptions} (webpack; takes seconds). */
export function buildWorkflowBundle(
  options: { workflowsPath?: string; logger?: BundlerLogger } = {}
): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode(workflowBundleOptions(options));
}

// ---------------------------------------------------------------------------------------------------------
// The worker's bundle cache: webpack once per source, not at every start
// ---------------------------------------------------------------------------------------------------------

const ROOT = path.resolve(__dirname, '..');
/** Per checkout (node_modules is), never committed. */
export const BUNDLE_CACHE_DIR = path.join(ROOT, 'node_modules/.cache/fondo-savings/workflow-bundles');

/** Every `.ts` file under `dir`, recursively, in a stable order. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(full);
      return entry.name.endsWith('.ts') ? [full] : [];
    });
}

/**
 * A hash of everything the worker's bundle is made from: workflow code (workflows/, and shared/, the only code it may
 * import as values; the lint keeps activities, fondo and sandbox type-only), this configuration, the compiler
 * settings and the locked dependency tree (the SDK and webpack included).
 */
export function workflowBundleSourceHash(): string {
  const hash = createHash('sha256');
  const files = [
    ...sourceFiles(path.join(ROOT, 'workflows')),
    ...sourceFiles(path.join(ROOT, 'shared')),
    __filename,
    path.join(ROOT, 'tsconfig.json'),
    path.join(ROOT, 'package-lock.json'),
  ];
  for (const file of files) {
    hash.update(path.relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 24);
}

/**
 * The worker's workflow bundle: read from {@link BUNDLE_CACHE_DIR} when one was built from the same sources
 * ({@link workflowBundleSourceHash}), else built with webpack and stored there. Start-up measured in
 * docs/BENCHMARKS.md ("Workflow bundle").
 */
export async function cachedWorkflowBundle(
  options: { logger?: BundlerLogger; cacheDir?: string } = {}
): Promise<{ code: string; cached: boolean }> {
  const cacheDir = options.cacheDir ?? BUNDLE_CACHE_DIR;
  const file = path.join(cacheDir, `workflow-bundle-${workflowBundleSourceHash()}.js`);
  if (existsSync(file)) return { code: readFileSync(file, 'utf8'), cached: true };
  const { code } = await buildWorkflowBundle(options.logger ? { logger: options.logger } : {});
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, file);
  return { code, cached: false };
}
