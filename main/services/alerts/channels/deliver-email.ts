/**
 * One email delivery attempt through SMTP with nodemailer.
 *
 * `starttls` insists on the upgrade (a server that does not offer it is refused rather than sent
 * the password in the clear), `tls` speaks TLS from the first byte, `none` never encrypts. The
 * server's certificate is checked against Node's roots plus any the app trusts (net-trust.ts).
 * An SMTP 4xx (try later) or a network error is worth retrying; a 5xx (refused) is not.
 */
import { createTransport } from 'nodemailer';
import type { EmailSettings } from '../../../../shared/model/channels';
import { trustedCa } from '../../../../node/probes/kinds/net-trust';
import type { AttemptResult } from './deliver-http';

export interface EmailContent {
  subject: string;
  text: string;
}

export function sendEmail(
  settings: EmailSettings,
  auth: { user: string; pass: string } | null,
  content: EmailContent,
  timeoutMs: number,
): (signal: AbortSignal) => Promise<AttemptResult> {
  return async (signal) => {
    const ca = trustedCa();
    const transport = createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.security === 'tls',
      requireTLS: settings.security === 'starttls',
      ignoreTLS: settings.security === 'none',
      ...(auth ? { auth } : {}),
      tls: { servername: settings.host, ...(ca ? { ca } : {}) },
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
    const aborted = new Promise<never>((_resolve, reject) => {
      const fail = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      if (signal.aborted) fail();
      else signal.addEventListener('abort', fail, { once: true });
    });
    try {
      await Promise.race([
        transport.sendMail({ from: settings.from, to: settings.to, subject: content.subject, text: content.text }),
        aborted,
      ]);
      return { ok: true, retry: false, status: null, error: null };
    } catch (error) {
      if (signal.aborted) throw error;
      const smtp = error as Error & { responseCode?: number; code?: string };
      const code = typeof smtp.responseCode === 'number' ? smtp.responseCode : null;
      if (code !== null) {
        return { ok: false, retry: code < 500, status: code, error: `The mail server answered ${code}: ${oneLine(smtp.message)}.` };
      }
      if (smtp.code === 'EAUTH') return { ok: false, retry: false, status: null, error: `The mail server refused the login: ${oneLine(smtp.message)}.` };
      return { ok: false, retry: true, status: null, error: `Could not send through ${settings.host}:${settings.port}: ${oneLine(smtp.message)}.` };
    } finally {
      transport.close();
    }
  };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/\.$/, '').slice(0, 300);
}
