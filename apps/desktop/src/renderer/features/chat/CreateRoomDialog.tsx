import { type FormEvent, useState } from 'react';
import { Dialog } from '../../ui/Dialog.js';
import { useRooms } from './rooms-store.js';

export function CreateRoomDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const [name, setName] = useState('');
  const [topic, setTopic] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'private'>('public');
  const [busy, setBusy] = useState(false);
  const submit = async (e?: FormEvent): Promise<void> => {
    e?.preventDefault();
    if (!name.trim() || busy) return;
    setBusy(true);
    const room = await useRooms
      .getState()
      .create({ name: name.trim(), visibility, ...(topic.trim() ? { topic: topic.trim() } : {}) });
    setBusy(false);
    if (room) {
      setName('');
      setTopic('');
      onClose();
    }
  };
  return (
    <Dialog
      open={open}
      title="Create a room"
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="create-room-form" className="button primary" disabled={!name.trim() || busy}>
            Create
          </button>
        </>
      }
    >
      <form id="create-room-form" onSubmit={(e) => void submit(e)} className="stack">
        <label className="field">
          <span>Room name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} required autoFocus />
        </label>
        <label className="field">
          <span>Topic (optional)</span>
          <input value={topic} onChange={(e) => setTopic(e.target.value)} maxLength={500} />
        </label>
        <fieldset className="field radio-group">
          <legend>Who can join</legend>
          <label>
            <input
              type="radio"
              name="visibility"
              checked={visibility === 'public'}
              onChange={() => setVisibility('public')}
            />
            Anyone on the server (public)
          </label>
          <label>
            <input
              type="radio"
              name="visibility"
              checked={visibility === 'private'}
              onChange={() => setVisibility('private')}
            />
            Only people invited (private)
          </label>
        </fieldset>
      </form>
    </Dialog>
  );
}
