/**
 * The folder decides what code may import (docs/architecture.md): these run the project's real ESLint
 * configuration over small snippets placed in each folder, so a weakened rule fails here.
 */
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: root });

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result!.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'layout/no-folder')
    .map((m) => m.message);
}

describe('layout rules', () => {
  it('shared/ imports no Node, Electron, React or other sides', async () => {
    expect(await restrictedImports('shared/x.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n")).toHaveLength(1);
    expect(await restrictedImports('shared/x.ts', "import fs from 'fs';\nexport const a = fs;\n")).toHaveLength(1);
    expect(await restrictedImports('shared/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
    expect(await restrictedImports('shared/x.ts', "import { useState } from 'react';\nexport const a = useState;\n")).toHaveLength(1);
    expect(await restrictedImports('shared/x.ts', "import { createApi } from '../main/api';\nexport const a = createApi;\n")).toHaveLength(1);
    expect(await restrictedImports('shared/x.ts', "import { z } from 'zod';\nexport const a = z;\n")).toHaveLength(0);
  });

  it("only main/electron/ and preload/ import 'electron'", async () => {
    const code = "import { app } from 'electron';\nexport const a = app;\n";
    expect(await restrictedImports('main/services/x.ts', code)).toHaveLength(1);
    expect(await restrictedImports('main/api-x.ts', code)).toHaveLength(1);
    expect(await restrictedImports('renderer/src/x.ts', code)).toHaveLength(1);
    expect(await restrictedImports('main/electron/x.ts', code)).toHaveLength(0);
    expect(await restrictedImports('preload/x.ts', code)).toHaveLength(0);
  });

  it('the renderer never imports main/ or Node', async () => {
    expect(await restrictedImports('renderer/src/x.ts', "import { createApi } from '../../main/api';\nexport const a = createApi;\n")).toHaveLength(1);
    expect(await restrictedImports('renderer/src/x.ts', "import { join } from 'node:path';\nexport const a = join;\n")).toHaveLength(1);
    expect(await restrictedImports('renderer/src/x.ts', "import { channels } from '../../shared/contract';\nexport const a = channels;\n")).toHaveLength(0);
  });

  it('preload never imports main/', async () => {
    expect(await restrictedImports('preload/x.ts', "import { createApi } from '../main/api';\nexport const a = createApi;\n")).toHaveLength(1);
  });

  it('main/ and the agent never import each other, statically or with import()', async () => {
    const use = (from: string) => `import { x } from '${from}';\nexport const a = x;\n`;
    const load = (from: string) => `export const a = await import('${from}');\n`;
    expect(await restrictedImports('main/cli/x.ts', use('../../agent/server'))).toHaveLength(1);
    expect(await restrictedImports('main/cli/x.ts', load('../../agent/main'))).toHaveLength(1);
    expect(await restrictedImports('main/cli/x.ts', "export { x } from '../../agent/docker';\n")).toHaveLength(1);
    expect(await restrictedImports('main/electron/x.ts', use('../../agent/server'))).toHaveLength(1);
    expect(await restrictedImports('agent/x.ts', use('../main/api'))).toHaveLength(1);
    expect(await restrictedImports('agent/logs/x.ts', load('../../main/services/index'))).toHaveLength(1);
    // The same string from one folder deeper is the agent's own main.ts: allowed.
    expect(await restrictedImports('agent/logs/x.ts', use('../main'))).toHaveLength(0);
    expect(await restrictedImports('agent/x.ts', use('../node/map-limit'))).toHaveLength(0);
    expect(await restrictedImports('main/services/x.ts', use('../../node/map-limit'))).toHaveLength(0);
    expect(await restrictedImports('main/services/x.ts', use('../../shared/errors'))).toHaveLength(0);
  });

  it('node/ imports Node and shared/, never main/, the agent, the renderer or Electron', async () => {
    const use = (from: string) => `import { x } from '${from}';\nexport const a = x;\n`;
    expect(await restrictedImports('node/docker/x.ts', use('../../main/services/index'))).toHaveLength(1);
    expect(await restrictedImports('node/docker/x.ts', use('../../agent/docker'))).toHaveLength(1);
    expect(await restrictedImports('node/x.ts', use('../renderer/src/main'))).toHaveLength(1);
    expect(await restrictedImports('node/x.ts', `export const a = await import('../agent/main');\n`)).toHaveLength(1);
    expect(await restrictedImports('node/x.ts', use('electron'))).toHaveLength(1);
    expect(await restrictedImports('node/docker/x.ts', use('../../shared/errors'))).toHaveLength(0);
    expect(await restrictedImports('node/docker/x.ts', use('node:fs'))).toHaveLength(0);
    expect(await restrictedImports('node/docker/x.ts', use('./docker-time'))).toHaveLength(0);
  });
});
