/**
 * Minimal typings for the part of `memjs` (binary-protocol memcached client) the memcached
 * engine uses (@types/memjs is not installed). Keys and values may be Buffers.
 */
declare module 'memjs' {
  interface ClientOptions {
    retries?: number;
    retry_delay?: number;
    expires?: number;
    failover?: boolean;
    timeout?: number;
    conntimeout?: number;
    keepAlive?: boolean;
    logger?: { log(...args: unknown[]): void };
  }
  interface MemjsServer {
    host: string;
    port: number;
  }
  class Client {
    static create(servers: string, options?: ClientOptions): Client;
    servers: MemjsServer[];
    getServer(key: Buffer | string): number;
    get(key: Buffer | string): Promise<{ value: Buffer | null; flags: Buffer | null }>;
    set(key: Buffer | string, value: Buffer | string, options?: { expires?: number }): Promise<boolean>;
    add(key: Buffer | string, value: Buffer | string, options?: { expires?: number }): Promise<boolean>;
    delete(key: Buffer | string): Promise<boolean>;
    touch(key: Buffer | string, expires: number): Promise<boolean>;
    statsWithKey(key: string, callback: (err: Error | null, server: string, stats: Record<string, string> | null) => void): void;
    quit(): void;
    close(): void;
  }
  const memjs: { Client: typeof Client };
  export default memjs;
  export { Client };
}
