/**
 * The folder decides what code may import (ARCHITECTURE.md): these run the project's real ESLint
 * configuration over small snippets placed in each folder, so a weakened rule fails here.
 */
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: root });

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
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
});
