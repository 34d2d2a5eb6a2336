import { type ChangeEvent, useRef } from 'react';
import { Icon } from '../../ui/icons.js';
import { useLibrary } from './library-store.js';

export function UploadButton() {
  const input = useRef<HTMLInputElement>(null);
  const onPick = (e: ChangeEvent<HTMLInputElement>): void => {
    const files = Array.from(e.target.files ?? []);
    e.target.value = '';
    for (const file of files) void useLibrary.getState().upload(file);
  };
  return (
    <>
      <input
        ref={input}
        type="file"
        accept="audio/*"
        className="sr-only"
        tabIndex={-1}
        aria-hidden="true"
        onChange={onPick}
      />
      <button type="button" className="button" onClick={() => input.current?.click()}>
        <Icon name="upload" /> Upload track
      </button>
    </>
  );
}
