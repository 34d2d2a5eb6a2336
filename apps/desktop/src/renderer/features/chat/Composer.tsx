import { type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ChatMessage } from '../../../common/contract.js';
import { lastEditable } from './messages-logic.js';
import { useMessages } from './messages-store.js';
import { Icon } from '../../ui/icons.js';
import { ComposerRuleWarning } from '../moderation/ComposerRuleWarning.js';
import { useComposerBlock } from '../moderation/use-composer-block.js';
import { useDraftVerdict } from '../moderation/use-draft-verdict.js';

/** Mirrors the server's MESSAGE_MAX_LENGTH (packages/shared). */
export const MESSAGE_MAX_LENGTH = 4000;

export type ComposerMode = { kind: 'reply'; message: ChatMessage } | { kind: 'edit'; message: ChatMessage } | null;

interface Props {
  roomId: string;
  roomName: string;
  myId: string | null;
  messages: ChatMessage[];
  mode: ComposerMode;
  setMode(mode: ComposerMode): void;
  disabledReason: string | null;
  onJoin?: (() => void) | undefined;
}

export function Composer({ roomId, roomName, myId, messages, mode, setMode, disabledReason, onJoin }: Props) {
  const [draft, setDraft] = useState('');
  const [savedDraft, setSavedDraft] = useState('');
  const ref = useRef<HTMLTextAreaElement>(null);
  const { send, edit, notifyTyping } = useMessages.getState();
  // Moderation: a ban or timeout turns the composer off; the mirrored rules warn on the draft.
  const moderationBlock = useComposerBlock(roomId);
  const verdict = useDraftVerdict(roomId, draft, messages);
  const blockedByRule = verdict?.level === 'block';

  // Editing puts the message's text in the box; leaving edit mode restores what was being typed.
  const editing = mode?.kind === 'edit' ? mode.message : null;
  const draftRef = useRef(draft);
  draftRef.current = draft;
  useEffect(() => {
    if (editing) {
      setSavedDraft((saved) => (draftRef.current === editing.body ? saved : draftRef.current));
      setDraft(editing.body);
      requestAnimationFrame(() => {
        const el = ref.current;
        if (el) {
          el.focus();
          el.setSelectionRange(el.value.length, el.value.length);
        }
      });
    }
  }, [editing]);
  useEffect(() => {
    if (mode?.kind === 'reply') ref.current?.focus();
  }, [mode]);

  // Grow with the text up to a limit (CSSOM height, no inline <style>).
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
  }, [draft]);

  const cancelMode = (): void => {
    if (mode?.kind === 'edit') setDraft(savedDraft);
    setMode(null);
  };

  const submit = async (): Promise<void> => {
    const body = draft.trim();
    if (!body) return;
    if (body.length > MESSAGE_MAX_LENGTH) return;
    if (blockedByRule) return;
    if (editing && editing.id) {
      if (body !== editing.body && !(await edit(editing.id, body))) return;
      setDraft(savedDraft);
      setMode(null);
      return;
    }
    const replyTo = mode?.kind === 'reply' ? (mode.message.id ?? undefined) : undefined;
    setDraft('');
    setMode(null);
    if (!(await send(roomId, body, replyTo))) setDraft(body);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (e.nativeEvent.isComposing) return;
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void submit();
    } else if (e.key === 'Escape' && mode) {
      e.preventDefault();
      cancelMode();
    } else if (e.key === 'ArrowUp' && draft === '' && !mode && myId) {
      const last = lastEditable(messages, myId);
      if (last) {
        e.preventDefault();
        setMode({ kind: 'edit', message: last });
      }
    }
  };

  const offReason = disabledReason ?? moderationBlock;
  if (offReason) {
    return (
      <div className="composer disabled" data-testid="composer-disabled">
        <p>{offReason}</p>
        {onJoin && disabledReason && (
          <button type="button" className="button primary" onClick={onJoin}>
            Join room
          </button>
        )}
      </div>
    );
  }

  const tooLong = draft.length > MESSAGE_MAX_LENGTH;

  return (
    <div className="composer">
      {mode && (
        <div className="composer-mode">
          <Icon name={mode.kind === 'edit' ? 'edit' : 'reply'} size={14} />
          <span>
            {mode.kind === 'edit' ? (
              'Editing message'
            ) : (
              <>
                Replying to <strong>{mode.message.authorUsername}</strong>
              </>
            )}
          </span>
          <span className="muted small">Esc to cancel</span>
          <button
            type="button"
            className="icon-button small"
            aria-label={mode.kind === 'edit' ? 'Cancel edit' : 'Cancel reply'}
            onClick={cancelMode}
          >
            <Icon name="x" size={14} />
          </button>
        </div>
      )}
      <div className="composer-box">
        <textarea
          ref={ref}
          aria-label="Message"
          placeholder={`Message ${roomName}`}
          rows={1}
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            if (e.target.value && !editing) notifyTyping(roomId);
          }}
          onKeyDown={onKeyDown}
          aria-invalid={tooLong || blockedByRule || undefined}
          aria-describedby={verdict ? `rule-warning-${roomId}` : undefined}
        />
        <button
          type="button"
          className="icon-button send"
          aria-label={editing ? 'Save edit' : 'Send message'}
          disabled={!draft.trim() || tooLong || blockedByRule}
          title={blockedByRule ? verdict.hits[0]!.reason : undefined}
          onClick={() => void submit()}
        >
          <Icon name={editing ? 'check' : 'reply'} className={editing ? undefined : 'send-icon'} />
        </button>
      </div>
      {verdict && (
        <div id={`rule-warning-${roomId}`}>
          <ComposerRuleWarning verdict={verdict} />
        </div>
      )}
      <div className="composer-hint">
        {tooLong ? (
          <span className="error-text">
            {draft.length - MESSAGE_MAX_LENGTH} characters over the {MESSAGE_MAX_LENGTH}-character limit.
          </span>
        ) : (
          <span className="muted small">
            <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line · **bold** *italic* `code`
          </span>
        )}
      </div>
    </div>
  );
}
