/**
 * wavesurfer.js puts these rules in a <style> element inside its shadow root, which a strict CSP
 * (style-src 'self') blocks. We adopt the same rules as a constructed stylesheet instead, which
 * CSP does not restrict. Keep in sync with wavesurfer's renderer (7.x).
 */
export const WAVESURFER_CSS = `
:host { user-select: none; min-width: 1px; }
:host .scroll { overflow-x: auto; overflow-y: hidden; width: 100%; position: relative; }
:host .noScrollbar { scrollbar-color: transparent; scrollbar-width: none; }
:host .noScrollbar::-webkit-scrollbar { display: none; -webkit-appearance: none; }
:host .wrapper { position: relative; overflow: visible; z-index: 2; cursor: pointer; }
:host .canvases { min-height: 36px; pointer-events: none; }
:host .canvases > div { position: relative; }
:host canvas { display: block; position: absolute; top: 0; image-rendering: pixelated; }
:host .progress { pointer-events: none; position: absolute; z-index: 2; top: 0; left: 0; width: 0; height: 100%; overflow: hidden; }
:host .progress > div { position: relative; }
:host .cursor { pointer-events: none; position: absolute; z-index: 5; top: 0; left: 0; height: 100%; border-radius: 2px; }
`;

let sheet: CSSStyleSheet | null = null;

/** Gives a wavesurfer shadow root its styles without an inline <style>. */
export function adoptWavesurferStyles(wrapper: HTMLElement): void {
  const root = wrapper.getRootNode();
  if (!(root instanceof ShadowRoot)) return;
  try {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(WAVESURFER_CSS);
    }
    if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    // Older engines: wavesurfer's own <style> applies when the CSP allows it.
  }
}
