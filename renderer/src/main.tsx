/**
 * The renderer's entry: find the API (Electron preload or browser-mode host) and mount the UI.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { openApi } from './api/open-api';
import { App } from './app/app';
import { MissingToken } from './app/start-screens';
import './styles/theme.css';
import './styles/shell.css';
import './styles/forms.css';
import './styles/tables.css';
import './styles/dialog.css';
import './styles/targets.css';

// Pasting the printed address into a tab already on this origin changes only the fragment, which
// does not reload the page: reload so the new token is picked up.
window.addEventListener('hashchange', () => {
  if (/^#(.*&)?token=/.test(window.location.hash)) window.location.reload();
});

const opened = openApi();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {opened.kind === 'ready' ? (
      <App api={opened.api} connection={opened.connection} platform={opened.platform} />
    ) : (
      <MissingToken />
    )}
  </StrictMode>,
);
