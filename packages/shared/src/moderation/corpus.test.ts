import { describe, expect, it } from 'vitest';
import { measureCorpus } from './corpus/measure.js';

describe('keyword engine on the obfuscation corpus (acceptance)', () => {
  const figures = measureCorpus();
  // Printed so a run shows the figures, not only pass/fail.
  // eslint-disable-next-line no-console -- the acceptance figures belong in the test output
  console.log(
    `moderation corpus: recall ${(figures.recall * 100).toFixed(1)}% (${figures.caught}/${figures.positives}), ` +
      `false positives ${(figures.falsePositiveRate * 100).toFixed(2)}% (${figures.falsePositives}/${figures.negatives})\n` +
      `  by kind: ${Object.entries(figures.recallByKind)
        .map(([kind, recall]) => `${kind} ${(recall * 100).toFixed(0)}%`)
        .join(
          ', ',
        )}\n  missed: ${JSON.stringify(figures.missed)}\n  wrongly caught: ${JSON.stringify(figures.wronglyCaught)}`,
  );

  it('has a few hundred positives and negatives', () => {
    expect(figures.positives).toBeGreaterThanOrEqual(300);
    expect(figures.negatives).toBeGreaterThanOrEqual(200);
  });

  it('catches at least 95% of disguised words', () => {
    expect(figures.recall).toBeGreaterThanOrEqual(0.95);
  });

  it('fires on at most 1% of ordinary messages', () => {
    expect(figures.falsePositiveRate).toBeLessThanOrEqual(0.01);
  });
});
