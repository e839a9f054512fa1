/**
 * The one scanner for personal data in free text (pause and cancel reasons, notes): the CLI refuses such text
 * (exit 2, naming the rule, never echoing the value) and the message schemas redact it as a second line of
 * defence. Pure and deterministic, so workflows may use it.
 *
 * Rules (a finding names its rule, never its value):
 * - `personnummer`: a personnummer or samordningsnummer, 10 or 12 digits, with or without `-`/`+`/space before the
 *   last four, validated (date and check digit) by the `personnummer` package.
 * - `iban`: two letters, two check digits and 11–30 letters/digits (spaces allowed in groups of four) that pass the
 *   ISO 13616 mod-97 check. Fund ids such as `SE0007100128SEK` (ISIN + currency) are not IBANs.
 * - `bank-account`: a Swedish bank account: a 4-digit clearing number (Swedbank: `8xxx-x`) and the account, 11–16
 *   digits in all, written together or in groups separated by single spaces or dashes. Dates and periods
 *   (`2026-01-25`, `2026-01 2026-02`) are not account numbers.
 * - `email`: an e-mail address.
 */
import personnummer from 'personnummer';

export type PiiRule = 'personnummer' | 'iban' | 'bank-account' | 'email';

/** Where a rule matched (offsets into the scanned text; the value itself is never reported). */
export interface PiiFinding {
  rule: PiiRule;
  start: number;
  end: number;
}

/** What each rule protects, for messages (`reason: holds a personnummer (rule personnummer)`). */
export const PII_RULE_DESCRIPTIONS: Record<PiiRule, string> = {
  personnummer: 'a personnummer or samordningsnummer',
  iban: 'an IBAN',
  'bank-account': 'a bank account number',
  email: 'an e-mail address',
};

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const IBAN =
  /(?<![\p{L}\p{N}])[A-Za-z]{2}\d{2}(?:[A-Za-z0-9]{11,30}|(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,4})?)(?![\p{L}\p{N}])/gu;
/** Digit groups joined by single spaces or dashes (candidate personnummer or account numbers). */
const DIGIT_RUN = /(?<![\d])\d+(?:[ +-]\d+)*(?![\d])/g;
const PERSONNUMMER_SHAPE = /^(?:\d{2})?\d{6}[-+ ]?\d{4}$/;
const DATE_LIST = /^\d{4}-\d{2}(?:-\d{2})?(?: \d{4}-\d{2}(?:-\d{2})?)*$/;
const ISIN_WITH_CURRENCY = /^[A-Z]{2}[A-Z0-9]{9}\d[A-Z]{3}$/;

/** Every personal-data finding in `text`, in order of position (non-overlapping). */
export function findPii(text: string): PiiFinding[] {
  const findings: PiiFinding[] = [];
  for (const m of text.matchAll(EMAIL)) findings.push({ rule: 'email', start: m.index, end: m.index + m[0].length });
  for (const m of text.matchAll(IBAN)) {
    if (isIban(m[0])) findings.push({ rule: 'iban', start: m.index, end: m.index + m[0].length });
  }
  for (const m of text.matchAll(DIGIT_RUN)) {
    const start = m.index;
    if (findings.some((f) => start >= f.start && start < f.end)) continue;
    const rule = digitRunRule(m[0]);
    if (rule) findings.push({ rule, start, end: start + m[0].length });
  }
  return findings.sort((a, b) => a.start - b.start);
}

/** The rules that match `text` (each once, in a fixed order), e.g. `['personnummer']`; empty when clean. */
export function piiRules(text: string): PiiRule[] {
  const found = new Set(findPii(text).map((f) => f.rule));
  return (Object.keys(PII_RULE_DESCRIPTIONS) as PiiRule[]).filter((r) => found.has(r));
}

/** `text` with every finding replaced by `[redacted:<rule>]`. */
export function redactPii(text: string): string {
  let out = '';
  let at = 0;
  for (const f of findPii(text)) {
    out += `${text.slice(at, f.start)}[redacted:${f.rule}]`;
    at = f.end;
  }
  return out + text.slice(at);
}

/**
 * A refusal message for a free-text field, naming the rules and never the value, e.g.
 * `--reason: must not hold personal data: a personnummer or samordningsnummer (rule personnummer)`; undefined
 * when the text is clean.
 */
export function piiProblem(field: string, text: string): string | undefined {
  const rules = piiRules(text);
  if (rules.length === 0) return undefined;
  return `${field}: must not hold personal data: ${rules.map((r) => `${PII_RULE_DESCRIPTIONS[r]} (rule ${r})`).join(', ')}`;
}

function digitRunRule(run: string): PiiRule | undefined {
  // The whole run or a personnummer-shaped part of a grouped run (e.g. the `800314 1002` in `800314 1002 5`).
  for (const candidate of personnummerCandidates(run)) {
    if (isPersonnummer(candidate)) return 'personnummer';
  }
  if (DATE_LIST.test(run)) return undefined;
  const digits = run.replace(/[ +-]/g, '');
  if (digits.length >= 11 && digits.length <= 16 && /^\d{4}(?:-\d)?(?:[ -]|\d)/.test(run)) return 'bank-account';
  return undefined;
}

/** Sub-runs of a grouped digit run shaped like a personnummer (e.g. the `800314-1002` in `800314-1002 5`). */
function personnummerCandidates(run: string): string[] {
  const groups = run.split(/[ +-]/);
  const seps = run.match(/[ +-]/g) ?? [];
  const out: string[] = [];
  for (let i = 0; i < groups.length; i++) {
    let joined = groups[i]!;
    for (let j = i; j < groups.length; j++) {
      if (j > i) joined += seps[j - 1]! + groups[j]!;
      if (PERSONNUMMER_SHAPE.test(joined)) out.push(joined);
      if (joined.replace(/\D/g, '').length > 12) break;
    }
  }
  return out;
}

function isPersonnummer(candidate: string): boolean {
  // The package accepts `-` and `+` before the last four digits; a space is written the same way by hand.
  return personnummer.valid(candidate.replace(' ', '-'), { allowCoordinationNumber: true, allowInterimNumber: false });
}

function isIban(raw: string): boolean {
  const iban = raw.replace(/ /g, '').toUpperCase();
  if (iban.length < 15 || iban.length > 34 || ISIN_WITH_CURRENCY.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of value) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder === 1;
}
