import { type ToastKind, useUi } from './ui-store.js';
import { Icon, type IconName } from '../ui/icons.js';

const KIND_ICONS: Record<ToastKind, IconName> = { error: 'alert', info: 'info', success: 'check', mention: 'at' };

export function Toasts() {
  const toasts = useUi((s) => s.toasts);
  const { dismissToast, navigate } = useUi.getState();
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.id} className={`toast ${toast.kind}`} role={toast.kind === 'error' ? 'alert' : undefined}>
          <Icon name={toast.icon ?? KIND_ICONS[toast.kind]} />
          <span className="toast-text">{toast.text}</span>
          {toast.view && (
            <button
              type="button"
              className="link-button small"
              onClick={() => {
                if (toast.view) navigate(toast.view);
                dismissToast(toast.id);
              }}
            >
              View
            </button>
          )}
          <button
            type="button"
            className="icon-button small"
            aria-label="Dismiss notification"
            onClick={() => dismissToast(toast.id)}
          >
            <Icon name="x" size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
