import { findPii, piiProblem, piiRules, redactPii, type PiiRule } from '../../shared/pii';
import { FreeTextSchema } from '../../shared/messages';

// Test identities: Skatteverket's published test personnummer 198003141002 and the a made-up Swedish IBAN with valid check digits.
describe('findPii: the one scanner for personal data in free text', () => {
  const flagged: [string, string, PiiRule][] = [
    ['12 digits', 'kund 198003141002 ringde', 'personnummer'],
    ['12 digits with dash', 'kund 19800314-1002 ringde', 'personnummer'],
    ['10 digits', 'kund 8003141002', 'personnummer'],
    ['10 digits with dash', '800314-1002 ringde', 'personnummer'],
    ['10 digits with plus (over 100)', 'född 800314+1002', 'personnummer'],
    ['10 digits with space', 'pnr 800314 1002.', 'personnummer'],
    ['samordningsnummer, 12 digits', 'id 198003741009', 'personnummer'],
    ['samordningsnummer, 10 digits with dash', 'id 800374-1009', 'personnummer'],
    ['at the start of the text', '198003141002', 'personnummer'],
    ['IBAN, compact', 'konto SE3750000000058398299999', 'iban'],
    ['IBAN, grouped', 'konto SE37 5000 0000 0583 9829 9999 stängt', 'iban'],
    ['IBAN, lower case', 'se3750000000058398299999', 'iban'],
    ['IBAN, German', 'DE89370400440532013000', 'iban'],
    ['bank account, grouped', 'konto 5000 0583 99999', 'bank-account'],
    ['bank account, clearing-dash', 'konto 6000-123456789', 'bank-account'],
    ['bank account, Swedbank clearing', 'konto 8327-9 123 456 789-0', 'bank-account'],
    ['bank account, compact', 'konto 50000583999999', 'bank-account'],
    ['e-mail', 'mailade anna.svensson@example.se igår', 'email'],
    ['e-mail with plus', 'a+b@mail.example.com', 'email'],
  ];
  it.each(flagged)('flags %s', (_name, text, rule) => {
    expect(piiRules(text)).toEqual([rule]);
  });

  const clean: [string, string][] = [
    ['an operator note', 'customer asked to pause over the holidays'],
    ['a fund id (ISIN + currency)', 'fund SE0007209820SEK closed, waiting'],
    ['several fund ids', 'SE0007100128SEK=60,SE0007120068SEK=40'],
    ['an amount', 'lower to 1 500 000 kr next year, then 1500.00'],
    ['a date and time', 'until 2026-12-23T18:00:00.000Z'],
    ['a list of periods', 'skip 2026-01 2026-02 2026-03'],
    ['a list of dates', '2026-01-25 2026-02-25'],
    ['a short reference number', 'ref 4711-0815'],
    ['a plan id', 'moved from demo-barnspar'],
    ['an at-sign without a domain', 'meet @ noon'],
    ['an empty text', ''],
  ];
  it.each(clean)('leaves %s alone', (_name, text) => {
    expect(findPii(text)).toEqual([]);
  });

  it('reports each finding with its position, never its value', () => {
    const text = 'pnr 198003141002, mail a@b.se';
    expect(findPii(text)).toEqual([
      { rule: 'personnummer', start: 4, end: 16 },
      { rule: 'email', start: 23, end: 29 },
    ]);
  });

  it('redacts every finding, keeping the rest of the text', () => {
    expect(redactPii('kund 198003141002 ringde från anna@example.se om SE3750000000058398299999')).toBe(
      'kund [redacted:personnummer] ringde från [redacted:email] om [redacted:iban]'
    );
    expect(redactPii('customer asked to pause')).toBe('customer asked to pause');
  });

  it('names the field and the rule in a refusal, and never the value', () => {
    const problem = piiProblem('--reason', 'kund 198003141002 ringde');
    expect(problem).toBe(
      '--reason: must not hold personal data: a personnummer or samordningsnummer (rule personnummer)'
    );
    expect(problem).not.toContain('198003141002');
    expect(piiProblem('--reason', 'holiday')).toBeUndefined();
  });
});

describe('FreeTextSchema: message free text is redacted as a second line of defence', () => {
  it('redacts personal data in a reason and keeps other text', () => {
    expect(FreeTextSchema.parse('kund 198003141002 ringde')).toBe('kund [redacted:personnummer] ringde');
    expect(FreeTextSchema.parse('holiday pause')).toBe('holiday pause');
  });
  it('refuses a non-string or an over-long reason', () => {
    expect(FreeTextSchema.safeParse(12345).success).toBe(false);
    expect(FreeTextSchema.safeParse('x'.repeat(501)).error?.issues[0]?.message).toBe('must be at most 500 characters');
  });
});
