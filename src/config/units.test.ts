import { describe, expect, it } from 'vitest';
import { frozenMap, frozenSet } from './freeze.js';
import { formatBytes, parseByteSize } from './units.js';

describe('parseByteSize', () => {
  it.each([
    [1, 1],
    [4096, 4096],
    ['512', 512],
    ['512b', 512],
    ['1kb', 1024],
    ['2 KiB', 2048],
    ['10mb', 10 * 1024 ** 2],
    ['1.5MiB', 1.5 * 1024 ** 2],
    [' 3 GB ', 3 * 1024 ** 3],
    ['1gib', 1024 ** 3],
    ['0.5kb', 512],
  ] as const)('reads %j as %d bytes', (input, bytes) => {
    expect(parseByteSize(input)).toBe(bytes);
  });

  it.each([0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, '0', '0kb', '0.0001b', '-1kb', '1tb', 'ten mb', '1 k b', '', 'mb', null, undefined, true, {}])(
    'refuses %j',
    (input) => {
      expect(parseByteSize(input)).toBeUndefined();
    },
  );
});

describe('formatBytes', () => {
  it.each([
    [1, '1 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1536 B'],
    [10 * 1024 ** 2, '10 MiB'],
    [1024 ** 2 + 1024, '1025 KiB'],
    [1024 ** 3, '1 GiB'],
    [3 * 1024 ** 3, '3 GiB'],
  ])('writes %d as %s (the largest unit that divides it)', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('frozen collections', () => {
  it('a frozen map reads like a map and refuses every write', () => {
    const m = frozenMap([['a', 1]]);
    expect(m.get('a')).toBe(1);
    expect(Object.isFrozen(m)).toBe(true);
    const writable = m as Map<string, number>;
    expect(() => writable.set('b', 2)).toThrow('the compiled configuration is read-only');
    expect(() => writable.delete('a')).toThrow(TypeError);
    expect(() => writable.clear()).toThrow(TypeError);
    expect([...m]).toEqual([['a', 1]]);
  });

  it('a frozen set reads like a set and refuses every write', () => {
    const s = frozenSet(['x']);
    expect(s.has('x')).toBe(true);
    expect(Object.isFrozen(s)).toBe(true);
    const writable = s as Set<string>;
    expect(() => writable.add('y')).toThrow('the compiled configuration is read-only');
    expect(() => writable.delete('x')).toThrow(TypeError);
    expect(() => writable.clear()).toThrow(TypeError);
    expect([...s]).toEqual(['x']);
  });
});
