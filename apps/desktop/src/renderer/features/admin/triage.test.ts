import { describe, expect, it } from 'vitest';
import type { PendingModerationAction, Report } from '../../../common/contract.js';
import {
  actionBody,
  allowedActions,
  commandForKey,
  moveSelection,
  pendingFor,
  selectionAfterRemoval,
  TRIAGE_SHORTCUTS,
} from './triage.js';

const NO_MODS = { ctrl: false, meta: false, alt: false };
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const author = {
  id: id(900),
  username: 'troll',
  role: 'listener' as const,
  createdAt: '2026-01-01T00:00:00.000Z',
  bannedUntil: null,
  mutedUntil: null,
};

function messageReport(n: number, visibility: 'visible' | 'held' | 'deleted' = 'visible'): Report {
  return {
    id: id(n),
    source: 'user',
    state: 'open',
    reason: 'spam',
    details: null,
    reporter: { id: id(800), username: 'alice' },
    reportCount: 1,
    hits: [],
    target: {
      type: 'message',
      visibility,
      roomName: 'general',
      author,
      message: {
        id: id(500 + n),
        roomId: id(700),
        seq: n,
        authorId: author.id,
        authorUsername: author.username,
        clientId: id(600 + n),
        body: 'buy now',
        replyTo: null,
        mentions: [],
        createdAt: '2026-12-07T10:00:00.000Z',
        editedAt: null,
        deletedAt: null,
        reactions: [],
      },
    },
    createdAt: '2026-12-07T10:00:01.000Z',
    resolvedAt: null,
    resolvedBy: null,
    resolution: null,
  };
}

const userReport: Report = { ...messageReport(9), target: { type: 'user', user: author } };

describe('commandForKey', () => {
  it('maps every documented shortcut key, letters in either case, arrows included', () => {
    for (const shortcut of TRIAGE_SHORTCUTS) {
      for (const key of shortcut.keys) {
        const pressed = key === '↓' ? 'ArrowDown' : key === '↑' ? 'ArrowUp' : key;
        expect(commandForKey(pressed, NO_MODS)).toBe(shortcut.command);
      }
    }
    expect(commandForKey('J', NO_MODS)).toBe('next');
    expect(commandForKey('B', NO_MODS)).toBe('ban');
  });

  it('leaves keys with Ctrl, Cmd or Alt and unknown keys to others', () => {
    expect(commandForKey('d', { ...NO_MODS, ctrl: true })).toBeNull();
    expect(commandForKey('k', { ...NO_MODS, meta: true })).toBeNull();
    expect(commandForKey('ArrowDown', { ...NO_MODS, alt: true })).toBeNull();
    expect(commandForKey('q', NO_MODS)).toBeNull();
    expect(commandForKey('Enter', NO_MODS)).toBeNull();
  });
});

describe('selection', () => {
  const ids = [id(1), id(2), id(3)];

  it('moves one step and stops at both ends', () => {
    expect(moveSelection(ids, id(1), 1)).toBe(id(2));
    expect(moveSelection(ids, id(3), 1)).toBe(id(3));
    expect(moveSelection(ids, id(1), -1)).toBe(id(1));
    expect(moveSelection(ids, id(2), -1)).toBe(id(1));
  });

  it('starts at the first report when nothing (or something gone) is selected, and is null on an empty queue', () => {
    expect(moveSelection(ids, null, 1)).toBe(id(1));
    expect(moveSelection(ids, id(42), -1)).toBe(id(1));
    expect(moveSelection([], null, 1)).toBeNull();
  });

  it('goes on to the next report after one is settled, or back to the previous at the end', () => {
    expect(selectionAfterRemoval(ids, id(2))).toBe(id(3));
    expect(selectionAfterRemoval(ids, id(3))).toBe(id(2));
    expect(selectionAfterRemoval([id(1)], id(1))).toBeNull();
  });
});

describe('allowedActions', () => {
  it('offers approve only for a held message and delete only for a message still there', () => {
    expect([...allowedActions(messageReport(1, 'held'))].sort()).toEqual([
      'approve',
      'ban',
      'delete',
      'dismiss',
      'timeout',
    ]);
    expect(allowedActions(messageReport(1, 'visible')).has('approve')).toBe(false);
    expect(allowedActions(messageReport(1, 'deleted')).has('delete')).toBe(false);
    expect(allowedActions(userReport).has('delete')).toBe(false);
    expect(allowedActions(userReport).has('ban')).toBe(true);
  });

  it('offers nothing on a report already settled', () => {
    expect(allowedActions({ ...messageReport(1), state: 'resolved' }).size).toBe(0);
  });
});

describe('actionBody', () => {
  it('builds each action with the report it settles', () => {
    const report = messageReport(1, 'held');
    expect(actionBody('dismiss', report)).toEqual({ action: 'dismiss', reportId: report.id });
    expect(actionBody('approve', report)).toEqual({ action: 'approve', messageId: id(501), reportId: report.id });
    expect(actionBody('delete', report)).toEqual({ action: 'delete', messageId: id(501), reportId: report.id });
    expect(actionBody('timeout', report, { durationSeconds: 3600, reason: 'calm down' })).toEqual({
      action: 'timeout',
      userId: author.id,
      durationSeconds: 3600,
      reason: 'calm down',
      reportId: report.id,
    });
  });

  it('bans until lifted unless a duration is chosen, hiding messages only when asked', () => {
    const report = messageReport(1);
    expect(actionBody('ban', report, { reason: 'spam', hideMessages: false })).toEqual({
      action: 'ban',
      userId: author.id,
      reason: 'spam',
      reportId: report.id,
    });
    expect(actionBody('ban', report, { reason: 'spam', hideMessages: true, durationSeconds: 86_400 })).toMatchObject({
      durationSeconds: 86_400,
      hideMessages: true,
    });
  });

  it('has no message action for a user report', () => {
    expect(actionBody('delete', userReport)).toBeNull();
  });
});

describe('pendingFor', () => {
  it('finds the offline action that settles a report', () => {
    const pending: PendingModerationAction[] = [
      { id: id(1), body: { action: 'unban', userId: author.id }, state: 'queued', queuedAt: 'x', error: null },
      { id: id(2), body: { action: 'dismiss', reportId: id(7) }, state: 'failed', queuedAt: 'x', error: null },
    ];
    expect(pendingFor(id(7), pending)?.id).toBe(id(2));
    expect(pendingFor(id(8), pending)).toBeNull();
  });
});
