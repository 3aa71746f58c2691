import { writeInPieces, type Db, type Statement } from '../db';
import { redactFrame } from '../shared';

interface OcppLogEntry {
  chargerId: string;
  direction: 'in' | 'out';
  messageTypeId: number;
  messageId: string | null;
  action: string | null;
  frame: string;
  at: string;
}

/** Frames longer than this are stored cut, with a marker; the log is for people, not replay. */
const MAX_LOGGED_FRAME_CHARS = 8192;
/** Entries waiting for the next flush; beyond this the oldest are dropped (and counted). */
const MAX_PENDING_ENTRIES = 50_000;
const FLUSH_INTERVAL_MS = 250;
/** Chunk rows per write (well under a millisecond), so the group commit can slice a big flush between charger messages. */
const CHUNKS_PER_WRITE = 16;
/**
 * An entry's id is its chunk's row id times this plus its place in the chunk (so ids keep
 * growing with time, one cursor pages through them, and they stay safe integers); a flush
 * splits a charger's entries into chunks of at most this many.
 */
const ENTRIES_PER_CHUNK = 1024;

/** A logged frame with its id (newest have the highest). */
export interface OcppLogRow extends OcppLogEntry {
  id: number;
}

type StoredEntry = [direction: 'in' | 'out', messageTypeId: number, messageId: string | null, action: string | null, frame: string, at: string];

/**
 * The per-charger OCPP message log. It is diagnostic, not a record of anything a charger was
 * promised, so it is written in the background rather than delaying answers: every 250 ms, one
 * row per charger holding the frames it exchanged since (ocpp_message_chunks). Entries are
 * pruned by the retention setting (the housekeeping job), a chunk once its newest entry is old.
 */
export class MessageLog {
  private pending: OcppLogEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: ((entry: OcppLogEntry) => void)[] = [];
  dropped = 0;

  private readonly insertChunk: Statement<unknown>;
  private readonly chunksOfCharger: Statement<{ id: number; entriesJson: string }>;
  private readonly oldChunks: Statement<{ chunks: number; entries: number | null }>;
  private readonly deleteOldChunks: Statement<unknown>;

  constructor(private readonly db: Db) {
    this.insertChunk = db.prepare(
      'INSERT INTO ocpp_message_chunks (charger_id, entry_count, first_at, last_at, entries_json) VALUES (@chargerId, @entryCount, @firstAt, @lastAt, @entriesJson)',
    );
    this.chunksOfCharger = db.prepare(
      'SELECT id, entries_json AS entriesJson FROM ocpp_message_chunks WHERE charger_id = @chargerId AND id <= @maxId ORDER BY id DESC LIMIT @limit',
    );
    const old = 'SELECT id, entry_count FROM ocpp_message_chunks WHERE last_at < @beforeIso ORDER BY last_at LIMIT @limit';
    this.oldChunks = db.prepare(`SELECT count(*) AS chunks, sum(entry_count) AS entries FROM (${old})`);
    this.deleteOldChunks = db.prepare(`DELETE FROM ocpp_message_chunks WHERE id IN (SELECT id FROM (${old}))`);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Live listeners (the UI's log view) hear every entry at once. */
  onEntry(listener: (entry: OcppLogEntry) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  /** CONTRACT: secret values (AuthorizationKey, BasicAuthPassword...) are kept as `***`, never in clear. */
  record(entry: OcppLogEntry): void {
    entry.frame = redactFrame(entry.frame);
    if (entry.frame.length > MAX_LOGGED_FRAME_CHARS) {
      entry.frame = `${entry.frame.slice(0, MAX_LOGGED_FRAME_CHARS)}…[cut, ${entry.frame.length} chars]`;
    }
    if (this.pending.length >= MAX_PENDING_ENTRIES) {
      this.pending.shift();
      this.dropped++;
    }
    this.pending.push(entry);
    for (const listener of this.listeners) listener(entry);
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const groups = groupsOf(this.pending);
    this.pending = [];
    // Serialized inside the writes, piece by piece: the whole log of 250 ms at once held the
    // event loop for milliseconds at a thousand chargers.
    await writeInPieces(
      this.db,
      groups,
      CHUNKS_PER_WRITE,
      (piece) => {
        for (const group of piece) this.insertChunk.run(chunkRow(group));
      },
      (piece) => {
        for (const group of piece) this.dropped += group.entries.length;
      },
    );
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Newest first; `beforeId` pages backwards. Entries appear once flushed (within 250 ms). */
  list(chargerId: string, limit: number, beforeId?: number): OcppLogRow[] {
    const rows: OcppLogRow[] = [];
    let maxChunkId = beforeId === undefined ? Number.MAX_SAFE_INTEGER : Math.floor(beforeId / ENTRIES_PER_CHUNK);
    while (rows.length < limit) {
      // Every chunk holds at least one entry: `limit` chunks are enough unless ids are skipped.
      const chunks = this.chunksOfCharger.all({ chargerId, maxId: maxChunkId, limit: limit - rows.length + 1 });
      for (const chunk of chunks) {
        const entries = JSON.parse(chunk.entriesJson) as StoredEntry[];
        for (let index = entries.length - 1; index >= 0 && rows.length < limit; index--) {
          const id = chunk.id * ENTRIES_PER_CHUNK + index;
          if (beforeId !== undefined && id >= beforeId) continue;
          const [direction, messageTypeId, messageId, action, frame, at] = entries[index]!;
          // Entries logged before secrets were kept out of the log are redacted on the way out.
          rows.push({ id, chargerId, direction, messageTypeId, messageId, action, frame: redactFrame(frame), at });
        }
        if (rows.length >= limit) break;
      }
      if (chunks.length === 0) break;
      maxChunkId = chunks[chunks.length - 1]!.id - 1;
    }
    return rows;
  }

  /**
   * Deletes up to `maxChunks` chunks whose newest entry is older than `beforeIso` in one write;
   * returns how many entries went. The caller repeats while some went, so charger traffic never
   * waits behind a long prune.
   */
  pruneBatch(beforeIso: string, maxChunks: number): Promise<number> {
    return this.db.write(() => {
      const old = this.oldChunks.get({ beforeIso, limit: maxChunks });
      if (!old || old.chunks === 0) return 0;
      this.deleteOldChunks.run({ beforeIso, limit: maxChunks });
      return old.entries ?? 0;
    });
  }
}

/** Entries grouped per charger in their order, in groups of at most ENTRIES_PER_CHUNK (one chunk row each). */
function groupsOf(entries: readonly OcppLogEntry[]): { chargerId: string; entries: OcppLogEntry[] }[] {
  const byCharger = new Map<string, OcppLogEntry[]>();
  for (const entry of entries) {
    let list = byCharger.get(entry.chargerId);
    if (!list) byCharger.set(entry.chargerId, (list = []));
    list.push(entry);
  }
  const groups: { chargerId: string; entries: OcppLogEntry[] }[] = [];
  for (const [chargerId, list] of byCharger) {
    for (let start = 0; start < list.length; start += ENTRIES_PER_CHUNK) groups.push({ chargerId, entries: list.slice(start, start + ENTRIES_PER_CHUNK) });
  }
  return groups;
}

function chunkRow({ chargerId, entries }: { chargerId: string; entries: OcppLogEntry[] }) {
  const stored = entries.map((entry): StoredEntry => [entry.direction, entry.messageTypeId, entry.messageId, entry.action, entry.frame, entry.at]);
  return { chargerId, entryCount: entries.length, firstAt: entries[0]!.at, lastAt: entries[entries.length - 1]!.at, entriesJson: JSON.stringify(stored) };
}
