import { type ReactNode, useEffect, useRef } from 'react';
import { initial, nameHue } from '../lib/format.js';

export function ProgressBar({
  value,
  max = 100,
  label,
  className,
}: {
  value: number;
  max?: number;
  label: string;
  className?: string;
}) {
  const ratio = max > 0 ? Math.max(0, Math.min(1, value / max)) : 0;
  const percent = Math.round(ratio * 100);
  return (
    <div
      className={className ? `progress ${className}` : 'progress'}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={`${percent}%`}
    >
      <div className="progress-fill" style={{ width: `${percent}%` }} />
    </div>
  );
}

export function Avatar({ name, online, size = 36 }: { name: string; online?: boolean | undefined; size?: number }) {
  return (
    <span
      className="avatar"
      style={{ width: size, height: size, ['--hue' as string]: String(nameHue(name)) }}
      aria-hidden="true"
    >
      {initial(name)}
      {online !== undefined && <span className={online ? 'presence online' : 'presence offline'} />}
    </span>
  );
}

export function Cover({
  src,
  color,
  size = 40,
  alt = '',
}: {
  src: string | null;
  color: string;
  size?: number;
  alt?: string;
}) {
  return (
    <span className="cover" style={{ width: size, height: size, backgroundColor: color }}>
      {src && (
        <img src={src} alt={alt} loading="lazy" draggable={false} onError={(e) => (e.currentTarget.hidden = true)} />
      )}
    </span>
  );
}

export function EmptyState({ icon, title, children }: { icon?: ReactNode; title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      {icon && <div className="empty-icon">{icon}</div>}
      <h2>{title}</h2>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}

/** A modal built on <dialog>: focus trap, Escape and the top layer come from the platform. */
export function Dialog({
  open,
  title,
  onClose,
  children,
  actions,
}: {
  open: boolean;
  title: string;
  onClose(): void;
  children?: ReactNode;
  actions: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="dialog-title"
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      {open && (
        <div className="dialog-body">
          <h2 id="dialog-title">{title}</h2>
          {children}
          <div className="dialog-actions">{actions}</div>
        </div>
      )}
    </dialog>
  );
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return <span className="spinner" role="img" aria-label={label} />;
}
