import { describe, expect, it } from 'vitest';
import { placeholderColors } from './placeholder-colors.js';

const HEX = /^#[0-9a-f]{6}$/;
const lightness = (hex: string) => {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
  return (Math.max(r, g, b) + Math.min(r, g, b)) / 2;
};

describe('placeholderColors', () => {
  it('is a pure function of the seed', () => {
    expect(placeholderColors('track-42')).toEqual(placeholderColors('track-42'));
    expect(placeholderColors('track-42')).toMatchInlineSnapshot(`
      [
        "#6230c0",
        "#8f2488",
      ]
    `);
  });

  it('gives different seeds different colours, all mid-tone #rrggbb', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const [from, to] = placeholderColors(`track-${i}`);
      expect(from).toMatch(HEX);
      expect(to).toMatch(HEX);
      expect(lightness(from)).toBeGreaterThan(0.3);
      expect(lightness(from)).toBeLessThan(0.7);
      expect(lightness(to)).toBeLessThan(lightness(from));
      seen.add(from);
    }
    expect(seen.size).toBeGreaterThan(40);
  });

  it('starts from an explicit colour when given one', () => {
    const [from, to] = placeholderColors('ignored', '#3B6EA5');
    expect(from).toBe('#3b6ea5');
    expect(to).toMatch(HEX);
    expect(to).not.toBe(from);
    expect(() => placeholderColors('x', 'red')).toThrow(/#rrggbb/);
  });
});
