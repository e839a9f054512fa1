import {
  depositFailureOfBankgirot,
  depositStatusOfFondo,
  orderRefusalOfFondo,
  orderStateOfFondo,
} from '../../shared/fondo-custodian';

describe("Fondo's words → the custodian port", () => {
  it.each([
    ['received', 'working'],
    ['pending', 'working'],
    ['sent', 'working'],
    ['hold', 'working'],
    ['a-status-fondo-adds-later', 'working'],
    ['confirmed', 'filled'],
    ['settled', 'settled'],
    ['canceled', 'canceled'],
    ['rejected', 'refused'],
    ['working', 'working'],
    ['filled', 'filled'],
  ])('order status %s → %s', (fondo, port) => {
    expect(orderStateOfFondo(fondo)).toBe(port);
  });

  it.each([
    ['kyc_incomplete', 'kyc'],
    ['instrument_not_tradable', 'not-tradable'],
    ['instrument_not_buyable', 'not-buyable'],
    ['instrument_not_in_universe', 'not-buyable'],
    ['instrument_not_sellable', 'not-sellable'],
    ['below_minimum', 'below-minimum'],
    ['insufficient_funds', 'insufficient-funds'],
    ['insufficient_units', 'insufficient-units'],
    ['invalid_request', 'other'],
    ['unprocessable', 'other'],
  ])('order refusal %s → %s', (code, reason) => {
    expect(orderRefusalOfFondo(code)).toBe(reason);
  });

  it.each([
    ['1', 'insufficient-funds'],
    ['9', 'renewed-by-bank'],
    ['2', 'no-mandate'],
    ['4', 'mandate-pending'],
    ['3', 'other'],
    [null, 'other'],
  ])('Bankgirot code %s → %s', (code, failure) => {
    expect(depositFailureOfBankgirot(code)).toBe(failure);
  });

  it.each([
    ['completed', null, 'paid'],
    ['failed', null, 'failed'],
    ['processing', '1', 'failed'],
    ['new', null, 'pending'],
    ['processing', null, 'pending'],
  ] as const)('payment status %s with code %s → %s', (status, code, outcome) => {
    expect(depositStatusOfFondo(status, code)).toBe(outcome);
  });
});
