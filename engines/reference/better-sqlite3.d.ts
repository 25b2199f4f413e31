/**
 * Minimal typings for the part of `better-sqlite3` the sqlite reference engine uses (the
 * package ships no types and @types/better-sqlite3 is not installed).
 */
declare module 'better-sqlite3' {
  namespace Database {
    interface Statement {
      run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
      get(...params: unknown[]): unknown;
      all(...params: unknown[]): unknown[];
      pluck(toggle?: boolean): this;
      raw(toggle?: boolean): this;
    }
    interface Database {
      prepare(sql: string): Statement;
      exec(sql: string): this;
      pragma(source: string, options?: { simple?: boolean }): unknown;
      transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
      close(): this;
      readonly open: boolean;
      readonly inTransaction: boolean;
    }
  }
  const Database: {
    new (filename: string, options?: { readonly?: boolean; fileMustExist?: boolean; timeout?: number }): Database.Database;
  };
  export default Database;
}
