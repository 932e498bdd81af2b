import { isClientGone } from 'guard-core';

const failure = (fields: Record<string, unknown>) => Object.assign(new Error('x'), fields);

describe('isClientGone', () => {
  it.each([
    ['a reset on the write to the client', failure({ code: 'ECONNRESET', syscall: 'write' })],
    ['a broken pipe on the write to the client', failure({ code: 'EPIPE', syscall: 'write' })],
    ['the premature close pipeline reports', failure({ code: 'ERR_STREAM_PREMATURE_CLOSE' })],
  ])('takes %s for a client that left', (_label, error) => {
    expect(isClientGone(error)).toBe(true);
  });

  it.each([
    ['a reset while reading from an upstream', failure({ code: 'ECONNRESET', syscall: 'read' })],
    ['a disk read error', failure({ code: 'EIO', syscall: 'read' })],
    ['an error without a code', new Error('boom')],
    ['a thrown string', 'ECONNRESET'],
    ['null', null],
  ])('takes %s for a real failure', (_label, error) => {
    expect(isClientGone(error)).toBe(false);
  });
});
