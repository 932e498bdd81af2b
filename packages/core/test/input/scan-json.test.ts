import { scanJson } from '../../src/input/scan-json';

const scan = (text: string, maxDepth = 1000, maxKeys = 1000) =>
  scanJson(Buffer.from(text), maxDepth, maxKeys);

describe('scanJson', () => {
  it('measures depth and member count', () => {
    expect(scan('{"a":{"b":[1,{"c":2}]}}')).toEqual({ depth: 4, keys: 3 });
    expect(scan('1')).toEqual({ depth: 0, keys: 0 });
  });

  it('ignores brackets, colons and escaped quotes inside strings', () => {
    expect(scan('{"a":"[[{:\\"}}"}')).toEqual({ depth: 1, keys: 1 });
  });

  it('stops as soon as a limit is passed', () => {
    expect(scan('['.repeat(10_000), 20).depth).toBe(21);
    const keys = `{${Array.from({ length: 100_000 }, (_, i) => `"k${i}":1`).join(',')}}`;
    expect(scan(keys, 20, 1000).keys).toBe(1001);
  });
});
