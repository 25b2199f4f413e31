/**
 * Minimal typings for the part of `@nxtedition/rocksdb` the rocksdb reference engine uses (the
 * package ships no types). `_writeSync` / `_getManySync` are the binding's synchronous calls
 * (its own promise API wraps them); `getProperty` is synchronous.
 */
declare module '@nxtedition/rocksdb' {
  interface RocksBatch {
    put(key: Buffer, value: Buffer): this;
    del(key: Buffer): this;
    _writeSync(options: { sync?: boolean }): void;
    _closeSync(): void;
  }
  interface RocksIterator {
    all(): Promise<Array<[Buffer, Buffer]>>;
  }
  export class RocksLevel {
    constructor(location: string, options?: Record<string, unknown>);
    readonly status: string;
    open(): Promise<void>;
    close(): Promise<void>;
    batch(): RocksBatch;
    _getManySync(keys: Buffer[], options: Record<string, unknown>): Array<Buffer | undefined>;
    iterator(options: { gte?: Buffer; limit?: number }): RocksIterator;
    getProperty(name: string): string;
  }
}
