/**
 * The one place the services are wired together. Each service takes its dependencies as
 * arguments, so tests can hand in a temporary data directory, another credential backend or a
 * fake clock (every timer of every service runs on `clock`).
 *
 * Services that run something in the background (timers, target listeners, sockets) are
 * registered in `lifecycle` as they are made: they are started once all are wired, and `close()`
 * disposes them in reverse order of creation, the database last.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DATABASE_FILE, openDatabase, type Db } from './store/database';
import type { CredentialBackend } from './credentials/credential-backend';
import { WatchedCredentials } from './credentials/watched-credentials';
import type { KnownSecretSources } from './credentials/known-secrets';
import { SecretMask } from './logs/secret-mask';
import { systemClock, type Clock } from '../../node/clock';
import { TargetsService } from './targets/targets-service';
import { Lifecycles } from './lifecycle';
import { AuditLog } from './audit/audit-log';
import { ConnectionManager, type ConnectionManagerOptions } from './connections/connection-manager';
import { ContainerActions } from './docker/container-actions';
import { DockerOverviewService } from './docker/overview-service';
import { TargetImport } from './import/target-import';
import { OpsApiService } from './ops-api/ops-api-service';
import { LogCache, type LogCacheOptions } from './logs/log-cache';
import { LogsService, type LogsServiceOptions } from './logs/logs-service';
import { SettingsStore } from './settings/settings-store';
import { HostProbes, type HostProbesOptions } from './probes/host-probes';
import { ProbesService, type ProbesServiceOptions } from './probes/probes-service';
import { createProbeCapabilities } from './probes/probe-capabilities';
import { AlertsService, type AlertChannels, type AlertsServiceOptions } from './alerts/alerts-service';
import { ChannelsService, type ChannelsServiceOptions } from './alerts/channels/channels-service';
import { RunbooksService, type RunbooksServiceOptions } from './runbooks/runbooks-service';
import { BundlesService, type BundlesServiceOptions } from './bundles/bundles-service';
import { RedactionRules } from './bundles/redaction-rules';

export interface ServiceDeps {
  dataDir: string;
  credentials: CredentialBackend;
  clock?: Clock;
  /** Where ~/.ssh/config and ~/.docker/contexts are looked for. */
  home?: string;
  connections?: ConnectionManagerOptions;
  logs?: LogsServiceOptions & { cache?: LogCacheOptions };
  /** `{ background: false }` for one-off processes (opsctl): probes run only when asked. */
  probes?: ProbesServiceOptions;
  /** How often ops-api targets' own probes are read, and how much is copied (main/services/probes/host-probes.ts). */
  hostProbes?: HostProbesOptions;
  /** Alerting's tick; `channels` stands in for the channels service where none is wired yet. */
  alerts?: AlertsServiceOptions & { channels?: AlertChannels };
  /** Alert channels' retries (tests shorten the waits). */
  channels?: ChannelsServiceOptions;
  /** The runbooks folder, the run store's batching, who starts runs. */
  runbooks?: RunbooksServiceOptions;
  /** Where support bundles are kept. */
  bundles?: BundlesServiceOptions;
}

export interface Services {
  dataDir: string;
  db: Db;
  /** The backend given, watched (WatchedCredentials): every service writes through it, so the log mask hears of each change. */
  credentials: CredentialBackend;
  targets: TargetsService;
  connections: ConnectionManager;
  overview: DockerOverviewService;
  containers: ContainerActions;
  audit: AuditLog;
  imports: TargetImport;
  opsApi: OpsApiService;
  logs: LogsService;
  /** Hides the keychain's secrets from log lines (followed, cached and read back). */
  secretMask: SecretMask;
  settings: SettingsStore;
  probes: ProbesService;
  hostProbes: HostProbes;
  channels: ChannelsService;
  alerts: AlertsService;
  runbooks: RunbooksService;
  bundles: BundlesService;
  /** The started services, disposed newest first by `close()`. */
  lifecycle: Lifecycles;
  close(): void;
}

export function createServices({
  dataDir,
  credentials: givenCredentials,
  clock = systemClock,
  home = homedir(),
  connections: connectionOptions,
  logs: logOptions = {},
  probes: probeOptions = {},
  hostProbes: hostProbeOptions = {},
  alerts: { channels: alertChannels, ...alertOptions } = {},
  channels: channelOptions = {},
  runbooks: runbookOptions = {},
  bundles: bundleOptions = {},
}: ServiceDeps): Services {
  const lifecycle = new Lifecycles();
  // First thing: every service writes secrets through this one, so the log mask hears of each change.
  const credentials = new WatchedCredentials(givenCredentials);
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  lifecycle.add('database', { dispose: () => db.close() });
  try {
    const targets = new TargetsService(db, credentials, clock);
    const audit = new AuditLog(db, clock);
    const opsApi = lifecycle.add('ops API', new OpsApiService(targets, {}, clock));
    const connections = lifecycle.add(
      'connections',
      new ConnectionManager(targets, connectionOptions ?? { sshAgentSocket: process.env.SSH_AUTH_SOCK }, clock),
    );
    const overview = lifecycle.add('overview', new DockerOverviewService(connections, clock));
    const { cache: cacheOptions, ...logsOptions } = logOptions;
    const cache = lifecycle.add('log cache', new LogCache(db, cacheOptions, clock));
    // Reads the services made below once started; registered (so started) after them.
    const secretMask: SecretMask = new SecretMask({
      credentials,
      sources: (): KnownSecretSources => ({ targets, probes, channels, runbooks, credentials }),
      clock,
    });
    const logs = lifecycle.add('logs', new LogsService(targets, connections, opsApi, cache, { ...logsOptions, secretMask }, clock));
    // After the connections it runs docker/ssh/ops-api checks through, so it is disposed first.
    const probes = lifecycle.add(
      'probes',
      new ProbesService({
        db,
        dataDir,
        credentials,
        targets,
        clock,
        options: { capabilities: createProbeCapabilities({ targets, connections, opsApi }), ...probeOptions },
      }),
    );
    const channels = new ChannelsService(db, credentials, clock, channelOptions);
    // After the probes: it attaches to them as it starts and detaches as it is disposed.
    const alerts = lifecycle.add('alerts', new AlertsService({ db, probes, channels: alertChannels ?? channels, targets, clock, options: alertOptions }));
    // After alerting, so the results it copies are alerted on from the first.
    const hostProbes = lifecycle.add(
      'host probes',
      new HostProbes({ probes, targets, opsApi, settings: new SettingsStore(db, clock), clock, options: hostProbeOptions }),
    );
    // Last: its runs use every service above, and it is disposed first (running steps aborted).
    const runbooks = lifecycle.add(
      'runbooks',
      new RunbooksService({
        db,
        dataDir,
        credentials,
        targets,
        audit,
        clock,
        steps: { targets, connections, overview, opsApi, logs, probes, hostProbes, credentials, audit },
        options: runbookOptions,
      }),
    );
    // After every service whose secrets it masks: it reads them as it starts.
    lifecycle.add('secret mask', secretMask);
    // Draws on every service above; read through `services` once they are all made.
    const made: { services?: Services } = {};
    const bundles = lifecycle.add(
      'bundles',
      new BundlesService(
        () => {
          if (!made.services) throw new Error('The services are not ready yet.');
          return made.services;
        },
        { dataDir, clock, rules: new RedactionRules(db, credentials, clock) },
        bundleOptions,
      ),
    );
    lifecycle.startAll();
    const services: Services = {
      dataDir,
      db,
      credentials,
      targets,
      connections,
      overview,
      containers: new ContainerActions(targets, connections, audit),
      audit,
      imports: new TargetImport(targets, home),
      opsApi,
      logs,
      secretMask,
      settings: new SettingsStore(db, clock),
      probes,
      hostProbes,
      channels,
      alerts,
      runbooks,
      bundles,
      lifecycle,
      close: () => lifecycle.disposeAll(),
    };
    made.services = services;
    return services;
  } catch (error) {
    lifecycle.disposeAll();
    throw error;
  }
}
