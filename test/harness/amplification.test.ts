/** Amplification figures: ratios over the harness's user bytes; unknown inputs give null, never 0. */
import { describe, expect, it } from 'vitest';
import { emptyStats } from '../../engines/engine.js';
import { amplification } from '../../harness/amplification.js';
import { parseProcIo, procIoDelta } from '../../harness/probes.js';

const io = { rchar: 5000, wchar: 3000, syscr: 10, syscw: 5, read_bytes: 0, write_bytes: 4096, cancelled_write_bytes: 0 };

describe('amplification', () => {
  it('divides engine, OS and directory figures by the user bytes', () => {
    const before = emptyStats();
    const after = emptyStats();
    after.deviceBytesWritten = 2000;
    after.deviceBytesRead = 600;
    after.liveBytes = 1000;
    after.liveKeys = 10;
    after.indexMemoryBytes = 400;
    const a = amplification({
      before, after, io, userBytesWritten: 1000, userBytesRead: 300, reads: 3, dirBytesAfter: 2500,
      liveBytesEstimate: 999, liveKeysEstimate: 99, rssAfter: 10_000, heapDeltaBytes: -5,
    });
    expect(a).toMatchObject({ writeEngine: 2, writeOs: 4.096, writeSyscall: 3, readEngine: 2, deviceBytesPerRead: 200, space: 2.5, indexBytesPerKey: 40, rssBytesPerKey: 1000, heapDeltaBytes: -5 });
    expect(a.readSyscall).toBeCloseTo(5000 / 300, 12);
  });

  it('reports null with a note for what the engine cannot count, and estimates live bytes', () => {
    const unknown = ['deviceBytesWritten', 'deviceBytesRead', 'liveBytes', 'liveKeys', 'indexMemoryBytes'];
    const a = amplification({
      before: emptyStats(unknown), after: emptyStats(unknown), io: null, userBytesWritten: 0, userBytesRead: 0, reads: 0,
      dirBytesAfter: 2000, liveBytesEstimate: 1000, liveKeysEstimate: 10, rssAfter: 500, heapDeltaBytes: 0,
    });
    expect(a.writeEngine).toBeNull();
    expect(a.readEngine).toBeNull();
    expect(a.writeOs).toBeNull();
    expect(a.indexBytesPerKey).toBeNull();
    expect(a.space).toBe(2);
    expect(a.rssBytesPerKey).toBe(50);
    expect(a.notes.join(' ')).toMatch(/device bytes written/);
    expect(a.notes.join(' ')).toMatch(/estimated/);
  });
});

describe('/proc/self/io', () => {
  it('parses the counters and subtracts them', () => {
    const text = 'rchar: 100\nwchar: 50\nsyscr: 3\nsyscw: 2\nread_bytes: 0\nwrite_bytes: 4096\ncancelled_write_bytes: 0\n';
    const a = parseProcIo(text);
    expect(a).toEqual({ rchar: 100, wchar: 50, syscr: 3, syscw: 2, read_bytes: 0, write_bytes: 4096, cancelled_write_bytes: 0 });
    expect(procIoDelta(a, { ...a, rchar: 150, write_bytes: 8192 })).toMatchObject({ rchar: 50, write_bytes: 4096, wchar: 0 });
    expect(procIoDelta(null, a)).toBeNull();
  });
});
