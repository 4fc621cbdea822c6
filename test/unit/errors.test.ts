import { describe, expect, it } from 'vitest';
import { CompanionError, isCompanionError } from '../../src/errors.js';

describe('CompanionError', () => {
  it('carries name, code, message, status and cause', () => {
    const cause = new Error('socket hang up');
    const error = new CompanionError('HTTP_ERROR', 'POST /create answered 502', { status: 502, cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('CompanionError');
    expect(error.code).toBe('HTTP_ERROR');
    expect(error.message).toBe('POST /create answered 502');
    expect(error.status).toBe(502);
    expect(error.cause).toBe(cause);
    expect(String(error)).toBe('CompanionError: POST /create answered 502');
  });

  it('has no status or cause when not given', () => {
    const error = new CompanionError('TIMEOUT', 'late');
    expect(error.status).toBeUndefined();
    expect('cause' in error).toBe(false);
  });
});

describe('isCompanionError', () => {
  it('recognizes instances, and checks the code when given', () => {
    const error = new CompanionError('NOT_FOUND', 'gone');
    expect(isCompanionError(error)).toBe(true);
    expect(isCompanionError(error, 'NOT_FOUND')).toBe(true);
    expect(isCompanionError(error, 'UNAUTHORIZED')).toBe(false);
  });

  it('recognizes an error from another realm or copy by its name and code', () => {
    const foreign = Object.assign(new Error('x'), { name: 'CompanionError', code: 'UNAUTHORIZED' });
    expect(isCompanionError(foreign, 'UNAUTHORIZED')).toBe(true);
  });

  it.each([null, undefined, 'CompanionError', new Error('x'), { name: 'CompanionError' }, new TypeError('x')])('refuses %j', (value) => {
    expect(isCompanionError(value)).toBe(false);
  });
});
