/**
 * Which links the desktop app hands to the system browser (`externalUrl`): plain http(s) web
 * links only, whatever case, whitespace or encoding tries to dress up another scheme.
 */
import { describe, expect, it } from 'vitest';
import { ExternalUrl, externalUrl } from '../../../shared/model/platform';

describe('externalUrl', () => {
  it.each([
    ['https://example.com/docs', 'https://example.com/docs'],
    ['HTTPS://Example.COM/a?b=1#c', 'https://example.com/a?b=1#c'],
    ['http://127.0.0.1:8080/health', 'http://127.0.0.1:8080/health'],
    ['  https://example.com/  ', 'https://example.com/'],
    ['http://[::1]:3000/', 'http://[::1]:3000/'],
  ])('accepts %s', (raw, expected) => {
    expect(externalUrl(raw)).toBe(expected);
    expect(ExternalUrl.safeParse(raw).success).toBe(true);
  });

  it.each([
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    '\tjavascript:alert(1)',
    'java\nscript:alert(1)',
    'file:///etc/passwd',
    'file://server/share',
    'data:text/html,<script>alert(1)</script>',
    'blob:https://example.com/uuid',
    'about:blank',
    'vbscript:msgbox',
    'mailto:someone@example.com',
    'ssh://host',
    'slack://open',
    'x-custom-app://do?thing',
    'ftp://example.com/',
    'https://user:pw@example.com/',
    'https://user@example.com/',
    '//example.com/',
    '/relative/path',
    'example.com',
    '',
    `https://example.com/${'a'.repeat(2048)}`,
  ])('refuses %s', (raw) => {
    expect(externalUrl(raw)).toBeUndefined();
    expect(ExternalUrl.safeParse(raw).success).toBe(false);
  });
});
