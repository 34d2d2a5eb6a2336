export interface WaitOptions {
  /** Bounds a broken run only: a passing run returns as soon as the condition holds. */
  timeoutMs?: number;
  /** Named in the timeout error. */
  what?: string;
  intervalMs?: number;
}

type Truthy<T> = Exclude<T, null | undefined | false | 0 | ''>;

/**
 * Polls `condition` until it returns something truthy, and returns that. A throw counts as "not
 * yet" (a row not there, an expectation not met); on timeout the last one is in the error.
 * For state that only changes on an event the test cannot await; never a delay in disguise.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { timeoutMs = 10_000, what = 'a condition', intervalMs = 10 }: WaitOptions = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as Truthy<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      if (lastError instanceof Error && what === 'a condition') throw lastError;
      const reason =
        lastError === undefined ? '' : `: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** waitFor for a check written as expectations: it holds once it stops throwing. */
export async function eventually(check: () => void | Promise<void>, options: WaitOptions = {}): Promise<void> {
  await waitFor(async () => {
    await check();
    return true;
  }, options);
}
