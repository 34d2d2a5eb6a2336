import { useEffect, useRef } from 'react';
import { useDismiss } from '../../ui/use-dismiss.js';

export const QUICK_EMOJIS = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🔥', '🎵'];

export function EmojiPicker({ onPick, onClose }: { onPick(emoji: string): void; onClose(): void }) {
  const ref = useRef<HTMLDivElement>(null);
  useDismiss(ref, onClose, { claimEscape: true });
  useEffect(() => {
    ref.current?.querySelector('button')?.focus();
  }, []);
  return (
    <div className="emoji-picker" role="group" aria-label="Pick a reaction" ref={ref}>
      {QUICK_EMOJIS.map((emoji) => (
        <button
          key={emoji}
          type="button"
          className="emoji-option"
          aria-label={`React with ${emoji}`}
          onClick={() => {
            onPick(emoji);
            onClose();
          }}
        >
          {emoji}
        </button>
      ))}
    </div>
  );
}
