import { create } from 'zustand';
import type { ModerationRule, ModerationRuleBody, RuleTestResult } from '../../../common/contract.js';
import { veza } from '../../bridge.js';
import { useUi } from '../../app/ui-store.js';
import { describeError, errorMessage } from '../../lib/errors.js';
import { fieldOfRuleError, type RuleField } from './rule-draft.js';

interface RulesState {
  rules: ModerationRule[];
  fromCache: boolean;
  loaded: boolean;
  loadError: string | null;
  /** The rule being edited: an id, 'new', or null (none). */
  editing: string | 'new' | null;
  saving: boolean;
  /** The server's refusal of the last save, on the field it is about. */
  serverError: { field: RuleField; message: string } | null;
  serverTest: { body: string; result: RuleTestResult } | { body: string; error: string } | null;
  load(): Promise<void>;
  edit(id: string | 'new' | null): void;
  save(body: ModerationRuleBody): Promise<void>;
  remove(id: string): Promise<void>;
  testOnServer(message: string, rule: ModerationRuleBody | null): Promise<void>;
  reset(): void;
}

const EMPTY = {
  rules: [] as ModerationRule[],
  fromCache: false,
  loaded: false,
  loadError: null,
  editing: null,
  saving: false,
  serverError: null,
  serverTest: null,
};

export const useRules = create<RulesState>()((set, get) => ({
  ...EMPTY,
  load: async () => {
    try {
      const set_ = await veza.listModerationRules();
      set({ rules: set_.rules, fromCache: set_.fromCache, loaded: true, loadError: null });
    } catch (error) {
      set({ loaded: true, loadError: errorMessage(error) });
    }
  },
  edit: (editing) => set({ editing, serverError: null, serverTest: null }),
  save: async (body) => {
    const editing = get().editing;
    if (!editing || get().saving) return;
    set({ saving: true, serverError: null });
    try {
      const saved =
        editing === 'new'
          ? await veza.createModerationRule({ rule: body })
          : await veza.updateModerationRule({ ruleId: editing, rule: body });
      useUi.getState().toast('success', `Rule “${saved.name}” saved.`);
      await get().load();
      set({ editing: saved.id });
    } catch (error) {
      const shape = describeError(error);
      // The server's own check (RULE_INVALID, or the schema's) is shown where the moderator can fix it.
      if (shape.code === 'RULE_INVALID' || shape.code === 'VALIDATION_FAILED') {
        set({ serverError: { field: fieldOfRuleError(shape.message), message: shape.message } });
      } else {
        useUi.getState().reportError(error);
      }
    } finally {
      set({ saving: false });
    }
  },
  remove: async (id) => {
    try {
      await veza.deleteModerationRule({ ruleId: id });
      useUi.getState().toast('success', 'Rule deleted.');
      set({ editing: null });
      await get().load();
    } catch (error) {
      useUi.getState().reportError(error);
    }
  },
  testOnServer: async (message, rule) => {
    try {
      const result = await veza.testModerationRule({ body: message, ...(rule ? { rule } : {}) });
      set({ serverTest: { body: message, result } });
    } catch (error) {
      set({ serverTest: { body: message, error: errorMessage(error) } });
    }
  },
  reset: () => set(EMPTY),
}));
