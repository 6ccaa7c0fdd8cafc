/**
 * The SSH host key dialogs: trust a key on first contact, or look into a key that changed.
 *
 * Nothing is trusted without the user's click on "Trust and connect": Cancel has the focus, so
 * a stray Enter cannot trust a key. A changed key leads, behind a confirmation, to forgetting
 * the old pin; the next connection then stops at the new key and this dialog shows it.
 */
import { useEffect, useState } from 'react';
import type { ConnectionState } from '../../../shared/model/connection';
import { describeTarget, type Target } from '../../../shared/model/target';
import { useApi } from '../api/api-context';
import { toApiError } from '../api/open-api';
import { Dialog } from './dialog';
import { DialogFooter } from './dialog-footer';
import { useCopy } from './use-copy';
import { EnvBadge } from './env-badge';
import { CheckIcon, CopyIcon, ShieldIcon, WarningIcon } from './icons';
import '../styles/connections.css';

const FINGERPRINT = /SHA256:[A-Za-z0-9+/]{43}/g;

interface HostKeyDialogProps {
  target: Target;
  /** The target's live connection state; the dialog follows it. */
  state: ConnectionState;
  /** `forget`: a changed key opens at "forget the old key?" rather than at the explanation. */
  initialStep?: 'forget' | undefined;
  onClose(): void;
}

export function HostKeyDialog({ target, state, initialStep, onClose }: HostKeyDialogProps) {
  const [forgetting, setForgetting] = useState<'confirm' | 'waiting' | undefined>(
    initialStep === 'forget' ? 'confirm' : undefined,
  );

  if (state.status === 'untrusted-host-key') {
    return <TrustView target={target} fingerprint={state.fingerprint} onClose={onClose} />;
  }
  if (state.status === 'failed' && state.code === 'host-key-mismatch' && forgetting !== 'waiting') {
    return forgetting === 'confirm' ? (
      <ForgetView
        target={target}
        onBack={() => setForgetting(undefined)}
        onForgotten={() => setForgetting('waiting')}
      />
    ) : (
      <MismatchView target={target} reason={state.reason} onForget={() => setForgetting('confirm')} onClose={onClose} />
    );
  }
  return <SettledView target={target} state={state} waiting={forgetting === 'waiting'} onClose={onClose} />;
}

function TargetLine({ target }: { target: Target }) {
  return (
    <div className={`host-key-target env-edge-${target.environment}`}>
      <EnvBadge environment={target.environment} />
      <span className="host-key-target-name">{target.name}</span>
      <span className="mono muted">{describeTarget(target)}</span>
    </div>
  );
}

function TrustView({ target, fingerprint, onClose }: { target: Target; fingerprint: string; onClose(): void }) {
  const api = useApi();
  const [trusting, setTrusting] = useState(false);
  const [error, setError] = useState<string>();

  async function trust() {
    setTrusting(true);
    setError(undefined);
    try {
      // Exactly the fingerprint shown: main refuses it if the server now offers another.
      await api.invoke('connections:trustHostKey', { targetId: target.id, fingerprint });
      onClose();
    } catch (caught) {
      setError(toApiError(caught).message);
      setTrusting(false);
    }
  }

  return (
    <Dialog
      title={`Trust the host key of ${target.name}?`}
      description="This is the first connection to this server. Control Room pins its key and refuses to connect if it ever changes."
      onClose={onClose}
      busy={trusting}
      className="host-key-dialog"
    >
      <div className="form-body">
        <TargetLine target={target} />
        <div className="fingerprint-box">
          <div className="fingerprint-label">
            <ShieldIcon size={15} /> Fingerprint of the key the server offers
          </div>
          <div className="fingerprint-row">
            <code className="fingerprint" data-testid="host-key-fingerprint">
              {fingerprint}
            </code>
            <CopyButton text={fingerprint} />
          </div>
        </div>
        <div className="host-key-steps">
          <p>Compare it, character for character, with what the server itself reports. On the server, run:</p>
          <pre className="command">ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</pre>
          <p className="muted">
            Or ask whoever runs the server. If the two differ, do not trust it — someone may be between you and the
            server.
          </p>
        </div>
      </div>
      <DialogFooter error={error} hint="Esc cancels">
        <button type="button" className="button" onClick={onClose} disabled={trusting} data-autofocus>
          Cancel
        </button>
        <button type="button" className="button button-primary" onClick={() => void trust()} disabled={trusting}>
          {trusting ? 'Trusting…' : 'Trust and connect'}
        </button>
      </DialogFooter>
    </Dialog>
  );
}

function MismatchView({
  target,
  reason,
  onForget,
  onClose,
}: {
  target: Target;
  reason: string;
  onForget(): void;
  onClose(): void;
}) {
  return (
    <Dialog
      title={`The host key of ${target.name} has changed`}
      description="Control Room stopped before sending anything: no key, no password, no command."
      onClose={onClose}
      tone="danger"
      className="host-key-dialog"
    >
      <div className="form-body">
        <TargetLine target={target} />
        <p className="host-key-reason" role="alert">
          <WarningIcon size={16} />
          <span>{reason}</span>
        </p>
        <FingerprintCompare reason={reason} />
        <p className="muted">
          A server that was reinstalled or had its keys regenerated offers a new key. Check with its administrator
          before you go on; an unexpected change can mean the connection is being intercepted.
        </p>
      </div>
      <DialogFooter>
        <button type="button" className="button" onClick={onClose} data-autofocus>
          Close
        </button>
        <button type="button" className="button button-quiet button-quiet-danger" onClick={onForget}>
          Forget the old key…
        </button>
      </DialogFooter>
    </Dialog>
  );
}

/** The pinned and the offered fingerprint, one under the other, from a mismatch reason. */
export function FingerprintCompare({ reason }: { reason: string }) {
  const [trusted, offered] = reason.match(FINGERPRINT) ?? [];
  if (!trusted || !offered) return null;
  return (
    <dl className="fingerprint-compare">
      <dt>Trusted</dt>
      <dd>
        <code className="fingerprint">{trusted}</code>
      </dd>
      <dt>Offered now</dt>
      <dd>
        <code className="fingerprint is-new">{offered}</code>
      </dd>
    </dl>
  );
}

function ForgetView({ target, onBack, onForgotten }: { target: Target; onBack(): void; onForgotten(): void }) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function forget() {
    setBusy(true);
    setError(undefined);
    try {
      await api.invoke('connections:forgetHostKey', { targetId: target.id });
      onForgotten();
    } catch (caught) {
      setError(toApiError(caught).message);
      setBusy(false);
    }
  }

  return (
    <Dialog
      title={`Forget the pinned key of ${target.name}?`}
      onClose={onBack}
      busy={busy}
      tone="danger"
      className="host-key-dialog"
    >
      <div className="form-body">
        <TargetLine target={target} />
        <p>
          Only do this if you know why the key changed. Control Room then connects again and stops at the server’s new
          key, showing its fingerprint for you to compare before anything is sent.
        </p>
      </div>
      <DialogFooter error={error}>
        <button type="button" className="button" onClick={onBack} disabled={busy} data-autofocus>
          Back
        </button>
        <button type="button" className="button button-danger" onClick={() => void forget()} disabled={busy}>
          {busy ? 'Forgetting…' : 'Forget the old key'}
        </button>
      </DialogFooter>
    </Dialog>
  );
}

/** Nothing to decide (any more): connected, still connecting, or failed for another reason. */
function SettledView({
  target,
  state,
  waiting,
  onClose,
}: {
  target: Target;
  state: ConnectionState;
  waiting: boolean;
  onClose(): void;
}) {
  const connecting = state.status === 'connecting' || state.status === 'idle' || state.status === 'reconnecting';
  // The key was trusted (here or in another window): nothing left to do.
  useEffect(() => {
    if (state.status === 'connected' && !waiting) onClose();
  }, [state.status, waiting, onClose]);
  return (
    <Dialog title={`Host key of ${target.name}`} onClose={onClose} className="host-key-dialog">
      <div className="form-body">
        <TargetLine target={target} />
        {waiting && connecting ? (
          <p className="muted">
            <span className="spinner" aria-hidden="true" /> Connecting to read the server’s new key…
          </p>
        ) : state.status === 'failed' ? (
          <p className="host-key-reason" role="alert">
            <WarningIcon size={16} />
            <span>{state.reason}</span>
          </p>
        ) : target.hostKey ? (
          <p>
            Pinned key: <code className="fingerprint">{target.hostKey.fingerprint}</code>
          </p>
        ) : (
          <p className="muted">No host key waits to be trusted right now. It is shown on the next connection.</p>
        )}
      </div>
      <DialogFooter>
        <button type="button" className="button" onClick={onClose} data-autofocus>
          Close
        </button>
      </DialogFooter>
    </Dialog>
  );
}

function CopyButton({ text }: { text: string }) {
  const { copied, copy } = useCopy();
  return (
    <button
      type="button"
      className="button button-small button-quiet"
      aria-label="Copy the fingerprint"
      onClick={() => copy(text)}
    >
      {copied ? <CheckIcon /> : <CopyIcon />} {copied ? 'Copied' : 'Copy'}
    </button>
  );
}
