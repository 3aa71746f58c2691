import type BetterSqlite3 from 'better-sqlite3';
import type { Sqlite } from './connection';

/** Decides, for each execution, which connection a statement runs on (see RoutedStatement). */
export interface StatementRouter {
  readonly writer: Sqlite;
  /** The connection for a read now: the writer inside a write, else a snapshot of durable state. */
  readConnection(): Sqlite;
  /** True while a write transaction of this database is open (a group commit, `tx`). */
  inWrite(): boolean;
  /** Runs a write outside any transaction as its own durable transaction. */
  autocommit<T>(run: () => T): T;
}

// Transaction control counts as read-only for SQLite, but belongs to the writer's transaction.
const WRITER_ONLY = /^\s*(begin|commit|end|rollback|savepoint|release|pragma)\b/i;

type Params = unknown[];
type PreparedOn = BetterSqlite3.Statement<Params>;

/**
 * One SQL statement, prepared on whichever connection it runs on. Reads outside a write run on
 * the router's read connection (the durable snapshot while a commit waits for its fdatasync);
 * everything else runs on the writer. A write outside any transaction becomes its own durable
 * transaction, so no path commits behind the group commit's back.
 */
export class RoutedStatement {
  readonly readonly: boolean;
  private readonly onWriter: PreparedOn;
  private rawOnWriter: PreparedOn | undefined;
  private readonly onReaders = new Map<Sqlite, PreparedOn>();
  private readonly rawOnReaders = new Map<Sqlite, PreparedOn>();
  private rawView: RawView | undefined;

  constructor(
    readonly source: string,
    private readonly router: StatementRouter,
  ) {
    this.onWriter = router.writer.prepare<Params>(source);
    this.readonly = this.onWriter.readonly && !WRITER_ONLY.test(source);
  }

  run(...params: Params): BetterSqlite3.RunResult {
    if (!this.readonly && !this.router.inWrite()) return this.router.autocommit(() => this.prepared(false).run(...params));
    return this.prepared(false).run(...params);
  }

  get(...params: Params): unknown {
    return this.fetchOne(false, params);
  }

  all(...params: Params): unknown[] {
    return this.fetchAll(false, params);
  }

  /** Rows as arrays (what drizzle asks for when it maps columns itself). */
  raw(toggle = true): RawView | RoutedStatement {
    if (!toggle) return this;
    this.rawView ??= new RawView(this);
    return this.rawView;
  }

  fetchOne(raw: boolean, params: Params): unknown {
    // INSERT ... RETURNING reads rows but writes: it belongs to a transaction like any write.
    if (!this.readonly && !this.router.inWrite()) return this.router.autocommit(() => this.prepared(raw).get(...params));
    return this.prepared(raw).get(...params);
  }

  fetchAll(raw: boolean, params: Params): unknown[] {
    if (!this.readonly && !this.router.inWrite()) return this.router.autocommit(() => this.prepared(raw).all(...params));
    return this.prepared(raw).all(...params);
  }

  /** The statement prepared on the connection this execution belongs to. */
  private prepared(raw: boolean): PreparedOn {
    const connection = this.readonly ? this.router.readConnection() : this.router.writer;
    if (connection === this.router.writer) {
      if (!raw) return this.onWriter;
      this.rawOnWriter ??= this.router.writer.prepare<Params>(this.source).raw(true);
      return this.rawOnWriter;
    }
    const cache = raw ? this.rawOnReaders : this.onReaders;
    let statement = cache.get(connection);
    if (!statement) {
      statement = connection.prepare<Params>(this.source);
      if (raw) statement.raw(true);
      cache.set(connection, statement);
    }
    return statement;
  }
}

class RawView {
  constructor(private readonly statement: RoutedStatement) {}

  get(...params: Params): unknown {
    return this.statement.fetchOne(true, params);
  }

  all(...params: Params): unknown[] {
    return this.statement.fetchAll(true, params);
  }
}

/**
 * The client drizzle is given: the writer connection, except that statements are routed
 * (drizzle only calls `prepare`, then run/get/all/raw on what it returns). Drizzle's own
 * `transaction()` would commit behind the group commit, so it is refused.
 */
export function routingClient(writer: Sqlite, prepare: (source: string) => RoutedStatement): Sqlite {
  return new Proxy(writer, {
    get(target, property) {
      if (property === 'prepare') return prepare;
      if (property === 'transaction') {
        return () => {
          throw new Error('Use Db.tx or Db.write for transactions; orm.transaction would commit outside the group commit');
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
