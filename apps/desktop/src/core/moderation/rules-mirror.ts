import type { ApiClient } from '../api/api-client.js';
import type { SyncLogger } from '../sync/logger.js';
import { checkRuleSet } from './rule-set-check.js';
import type { RulesStore } from './rules-store.js';

export const EFFECTIVE_RULES_PATH = '/api/v1/moderation/rules/effective';

export interface RulesMirrorDeps {
  api: ApiClient;
  store: RulesStore;
  log: SyncLogger;
  /** The cached set changed (the renderer re-reads it). */
  changed(version: number): void;
}

/**
 * Keeps the cached rule set in step with the server: fetched after each welcome (the rules may
 * have changed while we were away) and when a `rules` frame names a newer version. One fetch at a
 * time; a request that comes while one runs makes it run once more, so the last word wins.
 */
export class RulesMirror {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly deps: RulesMirrorDeps) {}

  /** The `rules` frame: fetch only when it is newer than what we have. */
  onVersion(version: number): void {
    const cached = this.deps.store.version();
    if (cached !== null && version <= cached) return;
    void this.refresh();
  }

  /** Resolves when the mirror has caught up (or failed: the cache stays as it was). */
  refresh(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  stop(): void {
    this.stopped = true;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.fetchOnce();
    } while (this.again && !this.stopped);
  }

  private async fetchOnce(): Promise<void> {
    let body: unknown;
    try {
      body = await this.deps.api.request<unknown>('GET', EFFECTIVE_RULES_PATH);
    } catch (error) {
      // Offline or refused: the cached set keeps warning; the next welcome tries again.
      this.deps.log.warn('could not fetch the moderation rules', { message: (error as Error).message });
      return;
    }
    if (this.stopped) return;
    const checked = checkRuleSet(body);
    if (!checked.ok) {
      this.deps.log.warn('ignored a malformed moderation rule set', { reason: checked.reason });
      return;
    }
    if (checked.dropped > 0)
      this.deps.log.warn('dropped moderation rules the app cannot use', { count: checked.dropped });
    // Fetches never overlap, so this answer is the newest; a lower version than cached means the
    // server's rules were reset, and the server is the authority.
    this.deps.store.put(checked.ruleSet);
    this.deps.changed(checked.ruleSet.version);
  }
}
