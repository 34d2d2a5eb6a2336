import { veza } from '../../bridge.js';
import { useUi } from '../../app/ui-store.js';

/** Hands a CSV to core, which writes it; the toast says where, since the renderer cannot open folders. */
export async function saveExport(fileName: string, csv: string): Promise<void> {
  try {
    const saved = await veza.saveCsvExport({ fileName, csv });
    useUi.getState().toast('success', `Exported to ${saved.path}`, { icon: 'download' });
  } catch (error) {
    useUi.getState().reportError(error);
  }
}
