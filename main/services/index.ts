/**
 * The one place the services are wired together. Each service takes its dependencies as
 * arguments, so tests can hand in a temporary data directory, another credential backend or a
 * fixed clock.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DATABASE_FILE, openDatabase, type Db } from './store/database';
import type { CredentialBackend } from './credentials/credential-backend';
import { TargetsService, systemClock, type Clock } from './targets/targets-service';
import { AuditLog } from './audit/audit-log';
import { ConnectionManager, type ConnectionManagerOptions } from './connections/connection-manager';
import { ContainerActions } from './docker/container-actions';
import { DockerOverviewService } from './docker/overview-service';
import { TargetImport } from './import/target-import';
import { OpsApiService } from './ops-api/ops-api-service';
import { LogCache, type LogCacheOptions } from './logs/log-cache';
import { LogsService, type LogsServiceOptions } from './logs/logs-service';
import { SettingsStore } from './settings/settings-store';

export interface ServiceDeps {
  dataDir: string;
  credentials: CredentialBackend;
  clock?: Clock;
  /** Where ~/.ssh/config and ~/.docker/contexts are looked for. */
  home?: string;
  connections?: ConnectionManagerOptions;
  logs?: LogsServiceOptions & { cache?: LogCacheOptions };
}

export interface Services {
  dataDir: string;
  db: Db;
  credentials: CredentialBackend;
  targets: TargetsService;
  connections: ConnectionManager;
  overview: DockerOverviewService;
  containers: ContainerActions;
  audit: AuditLog;
  imports: TargetImport;
  opsApi: OpsApiService;
  logs: LogsService;
  settings: SettingsStore;
  close(): void;
}

export function createServices({
  dataDir,
  credentials,
  clock = systemClock,
  home = homedir(),
  connections: connectionOptions,
  logs: logOptions = {},
}: ServiceDeps): Services {
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  const targets = new TargetsService(db, credentials, clock);
  const audit = new AuditLog(db, clock);
  const opsApi = new OpsApiService(targets);
  const connections = new ConnectionManager(targets, connectionOptions ?? { sshAgentSocket: process.env.SSH_AUTH_SOCK });
  const { cache: cacheOptions, ...logsOptions } = logOptions;
  const logs = new LogsService(targets, connections, opsApi, new LogCache(db, cacheOptions), logsOptions);
  return {
    dataDir,
    db,
    credentials,
    targets,
    connections,
    overview: new DockerOverviewService(connections, () => clock.now()),
    containers: new ContainerActions(targets, connections, audit),
    audit,
    imports: new TargetImport(targets, home),
    opsApi,
    logs,
    settings: new SettingsStore(db, () => clock.now()),
    close: () => {
      logs.close();
      connections.closeAll();
      opsApi.closeAll();
      db.close();
    },
  };
}
