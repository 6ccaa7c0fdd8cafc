/**
 * keychainError(): each raw keytar failure recorded on Linux with gnome-keyring becomes one sentence a user
 * can act on, with a code the UI can branch on.
 */
import { describe, expect, it } from 'vitest';
import { keychainError } from '../../../main/services/credentials/keychain-errors';
import { ApiError } from '../../../shared/errors';

const LOCKED = 'The system keychain is locked — unlock it and try again.';
const NO_SERVICE =
  'No system keychain is running (Secret Service) — install and start gnome-keyring or KeePassXC, then try again.';
const NO_SESSION =
  'The system keychain cannot be reached because there is no desktop (D-Bus) session — start Control Room from your desktop session and try again.';
const NO_LOGIN =
  'The system keychain has no login keyring — create or unlock one (for example in Passwords and Keys) and try again.';

describe('keychainError', () => {
  it.each([
    ['no D-Bus session', 'Cannot autolaunch D-Bus without X11 $DISPLAY', 'keychain-unavailable', NO_SESSION],
    ['bus address points nowhere', 'Could not connect: No such file or directory', 'keychain-unavailable', NO_SESSION],
    [
      'no Secret Service provider',
      'The name org.freedesktop.secrets was not provided by any .service files',
      'keychain-unavailable',
      NO_SERVICE,
    ],
    [
      'daemon without --unlock',
      'Object does not exist at path "/org/freedesktop/secrets/collection/login"',
      'keychain-unavailable',
      NO_LOGIN,
    ],
    ['locked keyring', 'Cannot create an item in a locked collection', 'keychain-locked', LOCKED],
  ])('%s: "%s"', (_situation, raw, code, message) => {
    const error = keychainError(new Error(raw));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    // The raw libsecret wording is for logs, not for the user.
    expect(error.message).not.toContain(raw);
  });

  it('maps a raw message that is not an Error object too', () => {
    const error = keychainError('Cannot create an item in a locked collection');
    expect(error.toBody()).toEqual({ code: 'keychain-locked', message: LOCKED });
  });

  it('passes an ApiError through unchanged', () => {
    const original = new ApiError('keychain-locked', 'already clear');
    expect(keychainError(original)).toBe(original);
  });

  it('an unknown failure still says what to do, quoting only the first line of the raw message, shortened', () => {
    const long = `Weird backend failure ${'x'.repeat(300)}\nsecond line with details`;
    const error = keychainError(new Error(long));
    expect(error.code).toBe('keychain-unavailable');
    expect(error.message).toMatch(
      /^The system keychain refused the request \(Weird backend failure x+…\) — check that it is unlocked and try again\.$/,
    );
    expect(error.message).not.toContain('second line');
    expect(error.message.length).toBeLessThan(300);
  });
});
