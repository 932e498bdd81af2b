import { isClientGone } from '@guard-suite/core/internal';

const failure = (fields: Record<string, unknown>) => Object.assign(new Error('x'), fields);

describe('isClientGone', () => {
  it.each([
    ['a reset on the write to the client', failure({ code: 'ECONNRESET', syscall: 'write' })],
    ['a broken pipe on the write to the client', failure({ code: 'EPIPE', syscall: 'write' })],
    [
      'a reset seen first on a read of the client socket',
      failure({ code: 'ECONNRESET', syscall: 'read' }),
    ],
    ['the premature close pipeline reports', failure({ code: 'ERR_STREAM_PREMATURE_CLOSE' })],
  ])('takes %s for a client that left', (_label, error) => {
    expect(isClientGone(error)).toBe(true);
  });

  it.each([
    // What Node's http client reports for an upstream response that was cut.
    ['an upstream response that was cut', failure({ code: 'ECONNRESET', message: 'aborted' })],
    ['a disk read error', failure({ code: 'EIO', syscall: 'read' })],
    ['an error without a code', new Error('boom')],
    ['a thrown string', 'ECONNRESET'],
    ['null', null],
  ])('takes %s for a real failure', (_label, error) => {
    expect(isClientGone(error)).toBe(false);
  });
});
