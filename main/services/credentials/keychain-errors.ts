/**
 * What libsecret/keytar throws, turned into one sentence that says what to do.
 *
 * The raw messages (recorded on Linux with gnome-keyring) are matched loosely,
 * because their wording differs slightly between libsecret versions and platforms.
 */
import { ApiError } from '../../../shared/errors';

const KNOWN: { pattern: RegExp; code: 'keychain-locked' | 'keychain-unavailable'; message: string }[] = [
  {
    pattern: /locked collection|is locked|user canceled|interaction is not allowed/i,
    code: 'keychain-locked',
    message: 'The system keychain is locked — unlock it and try again.',
  },
  {
    pattern: /collection\/login|no such (secret )?collection|default keyring/i,
    code: 'keychain-unavailable',
    message:
      'The system keychain has no login keyring — create or unlock one (for example in Passwords and Keys) and try again.',
  },
  {
    pattern: /org\.freedesktop\.secrets was not provided|ServiceUnknown|no secret service/i,
    code: 'keychain-unavailable',
    message:
      'No system keychain is running (Secret Service) — install and start gnome-keyring or KeePassXC, then try again.',
  },
  {
    pattern: /autolaunch D-Bus|Could not connect|DBUS_SESSION_BUS_ADDRESS|dbus/i,
    code: 'keychain-unavailable',
    message:
      'The system keychain cannot be reached because there is no desktop (D-Bus) session — start Control Room from your desktop session and try again.',
  },
];

export function keychainError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const known = KNOWN.find((k) => k.pattern.test(raw));
  if (known) return new ApiError(known.code, known.message);
  return new ApiError('keychain-unavailable', `The system keychain refused the request (${oneLine(raw)}) — check that it is unlocked and try again.`);
}

function oneLine(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}
