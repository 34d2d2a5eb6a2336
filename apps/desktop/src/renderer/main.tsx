import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BRIDGE_MISSING_MESSAGE, bridgeAvailable } from './bridge.js';
import { App } from './app/App.js';
import { startApp } from './events.js';
import './styles/app.css';

// A first guess at the theme before settings arrive, so the window never flashes the wrong colours.
document.documentElement.dataset.theme = window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('index.html has no #root element');
const root = createRoot(rootElement);

if (!bridgeAvailable) {
  root.render(
    <div className="splash">
      <div className="splash-error" role="alert">
        <h1>Veza cannot start</h1>
        <p>{BRIDGE_MISSING_MESSAGE}</p>
      </div>
    </div>,
  );
} else {
  startApp();
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
