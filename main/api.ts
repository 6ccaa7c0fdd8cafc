/**
 * The contract implemented on top of the services: the only door into them.
 *
 * Both transports call `invoke` and `subscribe` with whatever arrived (typed `unknown`). Every
 * payload is validated against `shared/contract.ts`; a bad one gets an `invalid-request` reply,
 * never an exception. Every response is parsed through its schema on the way out, so a field
 * the contract does not declare never reaches the renderer.
 */
import { type z } from 'zod';
import {
  channels,
  isChannel,
  isStream,
  streams,
  type Channel,
  type EventOf,
  type ParsedParamsOf,
  type ParsedRequestOf,
  type ResponseOf,
  type Stream,
} from '../shared/contract';
import { ApiError, fieldErrorsOf } from '../shared/errors';
import type { Reply } from '../shared/transport';
import type { Services } from './services';
import { readRecentLogs } from './services/logs/recent-logs';
import { applyImport, exportYaml, planGatusImport, planYamlImport, probeImportDeps } from './services/probes/probe-import';

export interface AppInfo {
  version: string;
  mode: 'electron' | 'browser' | 'cli';
}

type Handlers = { [C in Channel]: (request: ParsedRequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C> };

/** The `platform:*` channels: what the desktop app does with the OS for the page. */
export type PlatformChannel = Extract<Channel, `platform:${string}`>;

/**
 * The OS side of `platform:*` (main/electron/platform.ts). Only the Electron entry has one;
 * without it (browser mode, tests) those channels answer with an error saying so.
 */
export type PlatformService = { [C in PlatformChannel]: Handlers[C] };

export interface ApiOptions {
  platform?: PlatformService;
  /** Where the desktop app sends the window (a clicked notification); main/electron/platform.ts. */
  onNavigate?: (listener: (event: { route: string }) => void) => () => void;
}

export const NO_PLATFORM_MESSAGE =
  'Only the desktop app opens links, copies and saves files through Control Room; in the browser, the page does that itself.';
type Subscribers = {
  [S in Stream]: (params: ParsedParamsOf<S>, emit: (event: EventOf<S>) => void) => () => void;
};

export interface Api {
  invoke(channel: unknown, payload: unknown): Promise<Reply>;
  /** On success the reply's value ends the subscription. */
  subscribe(stream: unknown, params: unknown, emit: (event: unknown) => void): Promise<Reply<() => void>>;
}

export function createApi(
  services: Services,
  info: AppInfo,
  log: (message: string) => void = console.error,
  options: ApiOptions = {},
): Api {
  const platform = options.platform ?? withoutPlatform();
  /** Where runs started through this API come from: opsctl, or the app's window. */
  const runOrigin = info.mode === 'cli' ? 'opsctl' : 'app';
  const handlers: Handlers = {
    'app:info': () => ({ ...info, dataDir: services.dataDir, platform: process.platform }),
    'credentials:status': async () => {
      try {
        await services.credentials.check();
        return { available: true };
      } catch (error) {
        return { available: false, message: error instanceof Error ? error.message : String(error) };
      }
    },
    'targets:list': () => services.targets.list(),
    'targets:get': ({ id }) => services.targets.get(id),
    'targets:create': (draft) => services.targets.create(draft),
    'targets:update': ({ id, draft }) => services.targets.update(id, draft),
    'targets:delete': ({ id }) => services.targets.delete(id),
    'connections:list': () => [...services.connections.states(), ...services.opsApi.allStates()],
    'connections:retry': ({ targetId }) => services.connections.retry(targetId),
    'connections:trustHostKey': ({ targetId, fingerprint }) => services.connections.trustHostKey(targetId, fingerprint),
    'connections:forgetHostKey': ({ targetId }) => services.connections.forgetHostKey(targetId),
    'overview:get': ({ targetId }) => services.overview.snapshot(targetId),
    'containers:act': (request) => services.containers.run(request),
    'audit:list': ({ targetId, subjectKind, limit }) => services.audit.list({ targetId, subjectKind, limit }),
    'opsapi:context': ({ targetId }) => services.opsApi.client(targetId).context(),
    'opsapi:frontendErrors': ({ targetId, since, route }) => services.opsApi.client(targetId).frontendLogs({ since, route }),
    'opsapi:supportBundle': async ({ targetId }) => ({
      gzipBase64: (await services.opsApi.client(targetId).supportBundle()).toString('base64'),
    }),
    'logs:sources': ({ targetId }) => services.logs.sources(targetId),
    'logs:ack': ({ followId, lines }) => {
      services.logs.ack(followId, lines);
      return { ok: true as const };
    },
    'logs:recent': (request) => readRecentLogs(services, request),
    'logs:query': (request) => services.logs.query(request),
    'logs:cacheInfo': () => services.logs.cacheInfo(),
    'logs:setCacheLimits': (limits) => services.logs.setCacheLimits(limits),
    'settings:get': ({ key }) => ({ value: services.settings.get(key) ?? null }),
    'settings:set': ({ key, value }) => {
      services.settings.set(key, value);
      return { ok: true as const };
    },
    'import:scan': () => services.imports.scan(),
    'import:apply': ({ selections }) => services.imports.apply(selections),
    'platform:openExternal': (request) => platform['platform:openExternal'](request),
    'platform:copyText': (request) => platform['platform:copyText'](request),
    'platform:saveBegin': (request) => platform['platform:saveBegin'](request),
    'platform:saveWrite': (request) => platform['platform:saveWrite'](request),
    'platform:saveEnd': (request) => platform['platform:saveEnd'](request),
    'platform:openFile': (request) => platform['platform:openFile'](request),
    'platform:readFile': (request) => platform['platform:readFile'](request),
    'platform:closeFile': (request) => platform['platform:closeFile'](request),
    'platform:notify': (request) => platform['platform:notify'](request),
    'probes:list': () => services.probes.list(),
    'probes:get': ({ id }) => services.probes.get(id),
    'probes:create': (draft) => services.probes.create(draft),
    'probes:update': ({ id, draft }) => services.probes.update(id, draft),
    'probes:delete': ({ id }) => services.probes.delete(id),
    'probes:run': (selection) =>
      // A probe the host's agent runs is run there; everything else here.
      selection.probeId && services.hostProbes.has(selection.probeId)
        ? services.hostProbes.runRemote(selection.probeId)
        : services.probes.runNow(selection, info.mode === 'cli' ? 'cli' : 'manual'),
    'probes:test': ({ id, draft }) => services.probes.test(draft, id),
    'probes:results': ({ probeId, before, limit }) => services.probes.results(probeId, { before, limit }),
    'probes:history': ({ probeId, range }) => services.probes.history(probeId, range),
    'probes:artifact': (request) => services.probes.readArtifact(request),
    'probes:presets': () => services.probes.presets(),
    'probes:retention': () => services.probes.retention(),
    'probes:setRetention': (retention) => services.probes.setRetention(retention),
    'probes:importGatus': ({ text }) => planGatusImport(probeImportDeps(services), text),
    'probes:importYaml': ({ text }) => planYamlImport(probeImportDeps(services), text),
    'probes:exportYaml': ({ ids }) => exportYaml(probeImportDeps(services), ids),
    'probes:applyImport': ({ items }) => applyImport(probeImportDeps(services), items),
    'channels:list': () => services.channels.list(),
    'channels:get': ({ id }) => services.channels.get(id),
    'channels:create': (draft) => services.channels.create(draft),
    'channels:update': ({ id, draft }) => services.channels.update(id, draft),
    'channels:delete': ({ id }) => services.channels.delete(id),
    'channels:test': ({ id }) => services.channels.test(id),
    'alerts:rules': () => services.alerts.listRules(),
    'alerts:setRule': ({ subject, settings }) => services.alerts.setRule(subject, settings),
    'alerts:deleteRule': ({ subject }) => services.alerts.deleteRule(subject),
    'alerts:dependencies': () => services.alerts.listDependencies(),
    'alerts:setDependency': ({ dependant, parent }) => services.alerts.setDependency(dependant, parent),
    'alerts:deleteDependency': ({ id }) => services.alerts.deleteDependency(id),
    'alerts:maintenance': () => services.alerts.listMaintenance(),
    'alerts:addMaintenance': (draft) => services.alerts.addMaintenance(draft),
    'alerts:endMaintenance': ({ id }) => services.alerts.endMaintenance(id),
    'alerts:history': (query) => services.alerts.history(query),
    'runbooks:list': () => services.runbooks.list(),
    'runbooks:get': ({ id }) => services.runbooks.source(id),
    'runbooks:check': ({ yaml }) => ({ errors: services.runbooks.check(yaml) }),
    'runbooks:save': ({ yaml, previousId }) => services.runbooks.save(yaml, previousId),
    'runbooks:delete': ({ id }) => services.runbooks.delete(id),
    'runbooks:command': ({ text }) => services.runbooks.command(text),
    'runbooks:plan': ({ runbookId, targetId, inputs }) => services.runbooks.plan(runbookId, targetId, inputs),
    'runbooks:secrets': () => services.runbooks.secrets.list(),
    'runbooks:setSecret': ({ name, value }) => services.runbooks.secrets.set(name, value),
    'runbooks:remediations': () => services.runbooks.remediations.list(),
    'runbooks:setRemediation': ({ probeId, runbookId, targetId, inputs }) => {
      if (runbookId === null) {
        services.runbooks.remediations.remove(probeId);
        return { remediation: null };
      }
      return { remediation: services.runbooks.remediations.set({ probeId, runbookId, targetId, inputs }) };
    },
    'runbooks:remediate': ({ probeId, dryRun }) => services.runbooks.remediate(probeId, dryRun),
    'runs:start': (request) => services.runbooks.startRun(request, runOrigin),
    'runs:list': (query) => services.runbooks.listRuns(query),
    'runs:get': ({ id }) => services.runbooks.detail(id),
    'runs:events': ({ id, after, limit }) => services.runbooks.events(id, after, limit),
    'runs:cancel': ({ id }) => services.runbooks.cancel(id),
    'runs:approve': ({ id, confirmation, evidenceHash }) => services.runbooks.approve(id, confirmation, evidenceHash),
    'runs:retry': ({ id, resume }) => services.runbooks.retry(id, resume, runOrigin),
    'runs:artifact': ({ runId, artifactId, offset }) => services.runbooks.artifact(runId, artifactId, offset),
    'bundles:estimate': (request) => services.bundles.estimate(request),
    'bundles:preview': (request) => services.bundles.preview(request),
    'bundles:export': (request) => services.bundles.startExport(request),
    'bundles:cancelExport': ({ exportId }) => services.bundles.cancelExport(exportId),
    'bundles:list': () => services.bundles.list(),
    'bundles:delete': ({ id }) => services.bundles.delete(id),
    'bundles:read': ({ id, offset }) => services.bundles.read(id, offset),
    'bundles:importBegin': ({ name }) => services.bundles.importBegin(name),
    'bundles:importWrite': ({ uploadId, base64 }) => services.bundles.importWrite(uploadId, base64),
    'bundles:importEnd': async ({ uploadId, abort }) => ({ bundle: await services.bundles.importEnd(uploadId, abort) }),
    'bundles:open': ({ id }) => services.bundles.open(id),
    'bundles:logs': ({ id, ...query }) => services.bundles.logs(id, query),
    'bundles:diff': ({ a, b }) => services.bundles.diff(a, b),
    'bundles:redact': ({ id }) => services.bundles.redact(id),
    'bundles:rules': () => services.bundles.rules.list(),
    'bundles:createRule': (draft) => services.bundles.rules.create(draft),
    'bundles:updateRule': ({ id, draft }) => services.bundles.rules.update(id, draft),
    'bundles:deleteRule': ({ id }) => services.bundles.rules.delete(id),
  };

  const subscribers: Subscribers = {
    'targets:changed': (_params, emit) => services.targets.onChanged((targets) => emit({ targets })),
    'connections:state': (_params, emit) => {
      const offDocker = services.connections.onState(emit);
      const offOpsApi = services.opsApi.onState(emit);
      return () => {
        offDocker();
        offOpsApi();
      };
    },
    'opsapi:events': ({ targetId }, emit) => services.opsApi.watchEvents(targetId, emit),
    'overview:watch': ({ targetId }, emit) =>
      services.overview.watch(
        targetId,
        (overview) => emit({ overview }),
        (error) => emit({ error }),
      ),
    'audit:recorded': (_params, emit) => services.audit.onRecorded(emit),
    'probes:updates': (_params, emit) => services.probes.onUpdate(emit),
    'channels:desktop': (_params, emit) => services.channels.onDesktop(emit),
    // Only the desktop app sends the window anywhere; elsewhere the stream stays silent.
    'platform:navigate': (_params, emit) => options.onNavigate?.(emit) ?? (() => undefined),
    'alerts:decided': (_params, emit) => services.alerts.onDecided(emit),
    'logs:follow': (params, emit) => services.logs.follow(params, emit),
    'runs:updates': (_params, emit) => services.runbooks.onRunUpdate((run) => emit({ run })),
    'runs:events': ({ runId, after }, emit) => services.runbooks.followEvents(runId, after, (events) => emit({ events })),
    'bundles:progress': (_params, emit) => services.bundles.onProgress(emit),
  };

  /** Every `platform:*` channel refusing with one sentence, for a process with no OS window. */
  function withoutPlatform(): PlatformService {
    const refuse = () => {
      throw new ApiError('unknown-channel', NO_PLATFORM_MESSAGE);
    };
    return {
      'platform:openExternal': refuse,
      'platform:copyText': refuse,
      'platform:saveBegin': refuse,
      'platform:saveWrite': refuse,
      'platform:saveEnd': refuse,
      'platform:openFile': refuse,
      'platform:readFile': refuse,
      'platform:closeFile': refuse,
      'platform:notify': refuse,
    };
  }

  function failure(error: unknown): { ok: false; error: ReturnType<ApiError['toBody']> } {
    if (error instanceof ApiError) return { ok: false, error: error.toBody() };
    log(`control-room: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return {
      ok: false,
      error: { code: 'internal', message: 'Something went wrong inside Control Room — the details are in its log; try again.' },
    };
  }

  function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
    const result = schema.safeParse(value);
    if (!result.success) {
      throw new ApiError('invalid-request', `The ${what} is not valid — fix the marked fields and try again.`, fieldErrorsOf(result.error));
    }
    return result.data;
  }

  return {
    async invoke(channel, payload) {
      try {
        if (!isChannel(channel)) throw new ApiError('unknown-channel', `There is no request called "${String(channel).slice(0, 64)}".`);
        const spec = channels[channel];
        const request = parse(spec.request, payload, `request for ${channel}`);
        const handler = handlers[channel] as (request: unknown) => unknown;
        const response = await handler(request);
        return { ok: true, value: spec.response.parse(response) };
      } catch (error) {
        return failure(error);
      }
    },

    async subscribe(stream, params, emit) {
      try {
        if (!isStream(stream)) throw new ApiError('unknown-channel', `There is no event stream called "${String(stream).slice(0, 64)}".`);
        const spec = streams[stream];
        const parsed = parse(spec.params, params, `subscription to ${stream}`);
        const subscribe = subscribers[stream] as (params: unknown, emit: (event: unknown) => void) => () => void;
        // A stream as busy as logs:follow brings its own parse, with the schema's answers.
        const parseEvent: (event: unknown) => { success: true; data: unknown } | { success: false; error: { message: string } } =
          'parseEvent' in spec ? spec.parseEvent : (event) => spec.event.safeParse(event);
        const unsubscribe = subscribe(parsed, (event) => {
          // A bad event is a bug in main: log it, never let it break the service emitting it.
          const checked = parseEvent(event);
          if (checked.success) emit(checked.data);
          else log(`control-room: dropped an invalid ${stream} event: ${checked.error.message}`);
        });
        return { ok: true, value: unsubscribe };
      } catch (error) {
        return failure(error);
      }
    },
  };
}
