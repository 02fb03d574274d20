import { StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { EquimolApi } from '../../core/contract/equimol-api';
import { App } from './app';
import './styles/app.css';

/** Renders the Equimol UI into `element`, talking to the compute side only through `api`. */
export function mountApp(element: HTMLElement, api: EquimolApi): Root {
  const root = createRoot(element);
  root.render(
    <StrictMode>
      <App api={api} />
    </StrictMode>,
  );
  return root;
}
