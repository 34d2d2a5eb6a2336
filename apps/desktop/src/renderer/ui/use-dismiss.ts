import { type RefObject, useEffect, useRef } from 'react';

/**
 * Closes a popup (menu, picker) on a press outside it or on Escape. `claimEscape` takes the Escape
 * press before anyone else sees it, for popups that sit inside something Escape would also close.
 */
export function useDismiss(
  ref: RefObject<HTMLElement | null>,
  onClose: () => void,
  { claimEscape = false }: { claimEscape?: boolean } = {},
): void {
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const onDown = (e: MouseEvent): void => {
      if (ref.current && !ref.current.contains(e.target as Node)) close.current();
    };
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape') return;
      if (claimEscape) e.stopPropagation();
      close.current();
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey, claimEscape);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey, claimEscape);
    };
  }, [ref, claimEscape]);
}
