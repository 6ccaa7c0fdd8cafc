/**
 * The `s3` kind: put a small object, read it back, delete it, against any S3-compatible endpoint.
 *
 * A round trip proves more than a bucket listing would: the keys may write, read and delete, the
 * region and signature are right, and the store gives back what it was given. Each step is a
 * SigV4-signed request (s3-request.ts). The delete is tried whatever the read-back did, so a
 * failing probe does not fill the bucket with its objects; only an aborted run leaves the delete
 * to a short background attempt, because the run itself must end at once.
 *
 * Values: STATUS (the last HTTP status), CONNECTED, PUT_MS, GET_MS, DELETE_MS, RESPONSE_TIME (the
 * whole run, ms), ROUND_TRIP (what was read back equals what was written).
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { S3Settings } from '../../../shared/model/probe';
import { abortReason, isAbort } from '../../abort';
import { isoNow } from '../../clock';
import type { ArtifactData, KindOutcome, PlaceholderValues, ProbeKindModule, ProbeRunContext } from '../probe-kind';
import { networkErrorSentence, parseS3Error, s3ErrorSentence } from './s3-errors';
import { objectUrl, s3Request, type S3Credentials, type S3Reply } from './s3-request';

type Settings = z.output<typeof S3Settings>;
type Step = 'put' | 'get' | 'delete';

/** How long the background delete after an aborted run may take before it is given up. */
const CLEANUP_TIMEOUT_MS = 10_000;

const METHODS = { put: 'PUT', get: 'GET', delete: 'DELETE' } as const;

async function runS3(settings: Settings, ctx: ProbeRunContext): Promise<KindOutcome> {
  const { clock } = ctx;
  const started = clock.now();
  const credentials: S3Credentials = {
    accessKeyId: await ctx.secret('accessKeyId'),
    secretAccessKey: await ctx.secret('secretAccessKey'),
  };
  if (ctx.signal.aborted) throw abortReason(ctx.signal);
  const key = `${settings.keyPrefix}${randomBytes(8).toString('hex')}.txt`;
  const url = objectUrl(settings, key);
  const written = Buffer.from(`Control Room probe object, written ${isoNow(clock)}; the same run deletes it.\n`);
  const values: PlaceholderValues = { STATUS: null, CONNECTED: false, PUT_MS: null, GET_MS: null, DELETE_MS: null, RESPONSE_TIME: null, ROUND_TRIP: false };
  const metadata: KindOutcome['metadata'] = { endpoint: settings.endpoint, bucket: settings.bucket, key, region: settings.region, url: url.toString() };
  const artifacts: ArtifactData[] = [];
  let error: string | undefined;

  /** One step: its reply (or the sentence for a network failure), its time, the last status seen. */
  const step = async (name: Step): Promise<S3Reply | null> => {
    const stepStarted = clock.now();
    let reply: S3Reply;
    try {
      reply = await s3Request({
        method: METHODS[name],
        url,
        region: settings.region,
        credentials,
        ...(name === 'put' ? { body: written, contentType: 'text/plain; charset=utf-8' } : {}),
        clock,
        signal: ctx.signal,
      });
    } catch (failure) {
      if (isAbort(failure) || ctx.signal.aborted) throw failure;
      error ??= networkErrorSentence(settings.endpoint, failure);
      return null;
    }
    values[`${name.toUpperCase()}_MS`] = clock.now() - stepStarted;
    values.STATUS = reply.status;
    values.CONNECTED = true;
    if (reply.status < 200 || reply.status >= 300) {
      const detail = parseS3Error(reply.body);
      if (detail.code) metadata[`${name}ErrorCode`] = detail.code;
      if (!error) {
        error = s3ErrorSentence(name, reply.status, detail, settings.bucket);
        if (reply.body.length > 0) artifacts.push({ name: 'error.xml', contentType: 'application/xml', data: reply.body, truncated: false });
      }
      return null;
    }
    return reply;
  };

  const outcome = (): KindOutcome => {
    values.RESPONSE_TIME = clock.now() - started;
    return { values, metadata, artifacts, ...(error ? { error } : {}) };
  };

  try {
    if (!(await step('put'))) return outcome();
    const read = await step('get');
    if (read) {
      values.ROUND_TRIP = read.body.equals(written);
      if (!values.ROUND_TRIP) error ??= `The object read back (${read.body.length} bytes) differs from the one written (${written.length} bytes) — the endpoint is not storing objects faithfully.`;
    }
    const deleted = await step('delete');
    if (!deleted) {
      metadata.leftBehind = key;
      // A refused delete after a good round trip is the run's only problem: say which object stayed.
      if (values.ROUND_TRIP && error) error = `${error.replace(/\.$/, '')} (the probe object ${key} was left in the bucket).`;
    }
    return outcome();
  } catch (failure) {
    // The put may have landed before the abort.
    deleteInBackground(url, settings.region, credentials, ctx);
    throw failure;
  }
}

/**
 * After an abort the run has ended but its object may be in the bucket: one delete with its own
 * short deadline, whose outcome nobody waits for (a hung endpoint just lets it time out).
 */
function deleteInBackground(url: URL, region: string, credentials: S3Credentials, ctx: ProbeRunContext): void {
  const controller = new AbortController();
  const timer = ctx.clock.setTimeout(() => controller.abort(), CLEANUP_TIMEOUT_MS);
  timer.unref();
  s3Request({ method: 'DELETE', url, region, credentials, clock: ctx.clock, signal: controller.signal })
    .catch(() => undefined)
    .finally(() => ctx.clock.clearTimeout(timer));
}

export const s3Kind: ProbeKindModule<Settings> = { kind: 's3', run: runS3 };
