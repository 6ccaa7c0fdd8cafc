/**
 * Full-screen messages for when the window cannot reach Control Room at all.
 */
import type { ReactNode } from 'react';

function StartScreen({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="start-screen">
      <div className="start-card" role="alert">
        <img src="./icon.svg" alt="" width={40} height={40} />
        <h1>{title}</h1>
        {children}
      </div>
    </div>
  );
}

/** Browser mode, opened without the address `npm start` printed (it carries the access token). */
export function MissingToken() {
  return (
    <StartScreen title="Open Control Room from the address it printed">
      <p>
        This window has no access token, so it cannot talk to Control Room. In the terminal where you ran{' '}
        <code>npm start</code>, open the exact address it printed — it looks like{' '}
        <code className="nowrap">http://127.0.0.1:PORT/#token=…</code> and works only for that launch.
      </p>
    </StartScreen>
  );
}

/** The first connection failed: usually a token from an earlier launch, or the app is not running. */
export function CannotConnect() {
  return (
    <StartScreen title="Can’t reach Control Room">
      <p>
        This window could not connect. If you restarted Control Room, open the new address printed by{' '}
        <code>npm start</code> — each launch has its own access token. Otherwise check that it is still running.
      </p>
      <p className="muted">
        <span className="spinner" aria-hidden="true" /> Still trying…
      </p>
    </StartScreen>
  );
}
