/**
 * shared/log-source-key.ts: main and the renderer read a source key the same way.
 */
import { describe, expect, it } from 'vitest';
import { LogSourceKey } from '../../../shared/model/logs';
import { parseSourceKey, sourceKey, sourceKeyName } from '../../../shared/log-source-key';

describe('log source keys', () => {
  it('reads the kind and the name, and writes them back', () => {
    expect(parseSourceKey('container:web-1')).toEqual({ kind: 'container', name: 'web-1' });
    expect(parseSourceKey('service:backend')).toEqual({ kind: 'service', name: 'backend' });
    expect(sourceKey('service', 'backend')).toBe('service:backend');
    expect(sourceKeyName('container:web-1')).toBe('web-1');
  });

  it('keeps a name with its own colons and slashes whole, and writes keys the contract accepts', () => {
    // Only the first colon separates: what follows is the name, whatever it holds.
    expect(parseSourceKey('container:ns/app:v2')).toEqual({ kind: 'container', name: 'ns/app:v2' });
    expect(sourceKeyName('service:a:b')).toBe('a:b');
    for (const [kind, name] of [['container', 'shop_web.1'], ['service', 'ns/api']] as const) {
      const key = sourceKey(kind, name);
      expect(LogSourceKey.safeParse(key).success).toBe(true);
      expect(parseSourceKey(key)).toEqual({ kind, name });
    }
  });
});
