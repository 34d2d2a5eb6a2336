import { useSession } from '../session/session-store.js';

/** Album covers are server paths: resolve them against the signed-in server. */
export function useServerUrl(path: string): string | null {
  const server = useSession((s) => s.session?.serverUrl ?? null);
  if (!path) return null;
  try {
    return new URL(path, server ?? undefined).href;
  } catch {
    return null;
  }
}
