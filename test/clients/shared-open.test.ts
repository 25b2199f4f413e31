/**
 * `OpenOptions.shared` (engines/engine.ts): the joining open of a scale-out client. For the
 * engines with `sharedOpen` (redis, redis-cluster, memcached, etcd, etcd-cluster, dynamodb, dynamodb-ordered) a shared open of a namespace
 * another open holds succeeds and sees its writes, while an ordinary second open is still
 * LOCKED, and closing the joiner does not release the owner's lock.
 */
import { describe, expect, it } from 'vitest';
import { openEngine, getDescriptor } from '../../engines/registry.js';
import type { AsyncEngine } from '../../engines/engine.js';
import { tmpDir } from '../support/tmp.js';

const b = (s: string) => Buffer.from(s);

describe.each(['redis', 'redis-cluster', 'memcached', 'etcd', 'etcd-cluster', 'dynamodb', 'dynamodb-ordered'])('%s: shared open', (spec) => {
  it('joins the owner\'s namespace without its lock; an ordinary second open is still LOCKED', async () => {
    expect(getDescriptor(spec).sharedOpen).toBe(true);
    const dir = tmpDir();
    const owner = (await openEngine(spec, { dir })) as AsyncEngine;
    try {
      await owner.put(b('k1'), b('from owner'));
      const joiner = (await openEngine(spec, { dir, shared: true })) as AsyncEngine;
      try {
        expect(Buffer.from((await joiner.get(b('k1')))!).toString()).toBe('from owner');
        await joiner.put(b('k2'), b('from joiner'));
        expect(Buffer.from((await owner.get(b('k2')))!).toString()).toBe('from joiner');
      } finally {
        await joiner.close();
      }
      // the joiner held nothing: the owner's lock still stands
      await expect(openEngine(spec, { dir })).rejects.toMatchObject({ code: 'LOCKED' });
    } finally {
      await owner.close();
    }
  });
});
