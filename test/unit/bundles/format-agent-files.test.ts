/** The agent bundle's JSON as Control Room bundle files (node/bundle/agent-bundle-files.ts). */
import { describe, expect, it } from 'vitest';
import { agentFiles, agentLogFileName } from '../../../node/bundle/agent-bundle-files';

describe('agentFiles', () => {
  const bundle = {
    format: 'control-room-agent-bundle',
    context: { host: 'shop-host' },
    logs: {
      worker: { entries: [{ message: 'b' }] },
      api: { entries: [{ message: 'a1' }, { message: 'a2' }] },
      '(docker)': { error: 'Docker is not running.' },
    },
    frontendErrors: [{ message: 'TypeError' }],
  };

  it('maps context, each readable service and the frontend errors, services sorted', () => {
    const files = agentFiles(bundle);
    expect([...files.keys()]).toEqual(['context.json', 'logs/api.ndjson', 'logs/worker.ndjson', 'frontend-errors.json']);
    expect(JSON.parse(files.get('context.json')!.text())).toEqual({ host: 'shop-host' });
    expect(files.get('logs/api.ndjson')!.text()).toBe('{"message":"a1"}\n{"message":"a2"}\n');
    expect([...files.get('logs/api.ndjson')!.lines()]).toEqual(['{"message":"a1"}', '{"message":"a2"}']);
    expect(JSON.parse(files.get('frontend-errors.json')!.text())).toEqual([{ message: 'TypeError' }]);
  });

  it('gives a bundle without logs or frontend errors the same names, empty', () => {
    const files = agentFiles({ format: 'control-room-agent-bundle', context: {} });
    expect([...files.keys()]).toEqual(['context.json', 'frontend-errors.json']);
    expect(files.get('frontend-errors.json')!.text()).toBe('[]\n');
  });

  it('keeps service names safe as file names', () => {
    expect(agentLogFileName('api')).toBe('logs/api.ndjson');
    expect(agentLogFileName('shop_api-1.v2')).toBe('logs/shop_api-1.v2.ndjson');
    expect(agentLogFileName('../etc/x y')).toBe('logs/.._etc_x_y.ndjson');
  });
});
