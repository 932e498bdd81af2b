import { notFound } from '../src/index';

describe('notFound()', () => {
  it.each([
    [{ messages: 'x' }, /"messages"/],
    [{ messages: { 404: 5 } }, /"messages.404"/],
    [{ mesages: {} }, /did you mean "messages"/],
  ])('checks its options like errorHandler() does: %p', (options, message) => {
    expect(() => notFound(options as never)).toThrow(
      expect.objectContaining({
        code: 'ERR_GUARD_INVALID_OPTION',
        message: expect.stringMatching(message),
      }),
    );
  });
});
