import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Worker } from 'node:worker_threads';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { errorCodeFor, OcppError, type OcppErrorKind } from '../src/ocpp/errors';
import type { MeterValuesRequest } from '../src/ocpp/generated/v16';
import { schemaValidator } from '../src/ocpp/schemas';
import { FRAME_SEPARATOR, LeanWriter, pushMeterRows, type FramesMessage, type MeterRows, type WriterReply, type WriterStats } from './lean-writer';

/**
 * The lean ingestion ceiling, started as its own process by bench/run.ts (as echo-server.ts):
 * the least work the appliance must do for an OCPP 1.6 MeterValues CALL, and nothing else —
 * `JSON.parse`, a check that it is a MeterValues CALL, the project's own schema validation
 * (src/ocpp/schemas.ts), the register reading and trusted time the appliance stores, then
 * lean-writer.ts's storage (one transaction per turn, an fdatasync of the WAL) and the
 * CALLRESULT `[3, id, {}]` only once that sync covered the commit. No message log, no domain
 * services, no promises, no logging: what no design can skip.
 *
 * LEAN_WRITER=main (default): the SQLite writer runs on the main thread, between the turns that
 * read the sockets. LEAN_WRITER=worker: the main thread parses and validates, and posts each
 * turn's valid frames (one postMessage per turn, one string: FramesMessage) to a worker thread
 * that makes the rows, owns the connection, commits, syncs and posts back which turn is durable;
 * the main thread answers.
 *
 * The database file is LEAN_DATABASE_FILE (created and migrated at start); at exit the writer's
 * stats go to LEAN_STATS_FILE when set.
 */
const databaseFile = process.env.LEAN_DATABASE_FILE;
if (!databaseFile) throw new Error('LEAN_DATABASE_FILE names the database file');
const inWorker = process.env.LEAN_WRITER === 'worker';

const validator = schemaValidator('1.6');
const CALL = 2;
const CALLRESULT = 3;
const CALLERROR = 4;

/** The frames of one turn, answered together once their rows are durable. */
interface Turn {
  ticket: number;
  sockets: WebSocket[];
  answers: string[];
  /** When the turn's first message arrived: the appliance's receivedAt, for all of them. */
  receivedAt: string;
  /** Writer on the main thread: the turn's rows. */
  rows: MeterRows;
  /** Writer in a worker: the turn's frames, for the worker to make the rows (FramesMessage). */
  frames: string;
}

let lastTicket = 0;
let turn: Turn | undefined;
/** Turns committed or on their way, oldest first. */
const waiting: Turn[] = [];

const storage = inWorker ? workerStorage() : mainThreadStorage();

function mainThreadStorage() {
  const writer = new LeanWriter(databaseFile!, answerUpTo);
  return {
    ready: Promise.resolve(),
    store(ended: Turn) {
      writer.add(ended.ticket, ended.rows);
      writer.commitNow();
    },
    close() {
      writer.close();
      writeStats(writer.stats);
    },
  };
}

function workerStorage() {
  const worker = new Worker(require.resolve('./lean-writer'), { workerData: { leanWriterFile: databaseFile } });
  let ready!: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  worker.on('message', (reply: WriterReply) => {
    if ('ready' in reply) ready();
    else if ('closed' in reply) writeStats(reply.closed);
    else answerUpTo(reply.durableTicket);
  });
  worker.on('error', (error) => {
    throw error;
  });
  return {
    ready: readyPromise,
    store(ended: Turn) {
      worker.postMessage({ ticket: ended.ticket, receivedAt: ended.receivedAt, frames: ended.frames } satisfies FramesMessage);
      // The worker keeps the frames; this side only needs the answers.
      ended.frames = '';
    },
    close: () => worker.postMessage('close'),
  };
}

/** At exit, for the bench's figure text: how many commits, how often writes waited for a checkpoint. */
function writeStats(stats: WriterStats): void {
  if (process.env.LEAN_STATS_FILE) fs.writeFileSync(process.env.LEAN_STATS_FILE, JSON.stringify(stats));
}

function answerUpTo(ticket: number): void {
  while (waiting.length > 0 && waiting[0]!.ticket <= ticket) {
    const { sockets, answers } = waiting.shift()!;
    for (let index = 0; index < sockets.length; index++) sockets[index]!.send(answers[index]!);
  }
}

function currentTurn(): Turn {
  if (turn) return turn;
  turn = { ticket: ++lastTicket, sockets: [], answers: [], receivedAt: new Date().toISOString(), rows: [], frames: '' };
  setImmediate(endTurn);
  return turn;
}

function endTurn(): void {
  const ended = turn!;
  turn = undefined;
  waiting.push(ended);
  storage.store(ended);
}

function sendError(socket: WebSocket, messageId: string, kind: OcppErrorKind, description: string, details: Record<string, unknown> = {}): void {
  socket.send(JSON.stringify([CALLERROR, messageId, errorCodeFor('1.6', kind), description, details]));
}

function onFrame(socket: WebSocket, chargerId: string, data: RawData): void {
  const text = data.toString();
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return sendError(socket, '-1', 'UnparsableFrame', 'The frame is not valid JSON');
  }
  if (!Array.isArray(message) || message.length !== 4 || message[0] !== CALL || typeof message[1] !== 'string') {
    return sendError(socket, '-1', 'MalformedRpcMessage', 'The lean server takes CALLs [2, messageId, action, payload]');
  }
  const [, messageId, action, payload] = message as [number, string, unknown, unknown];
  if (action !== 'MeterValues') return sendError(socket, messageId, 'NotImplemented', 'The lean server answers MeterValues only');
  try {
    validator.validate('MeterValues', 'req', payload);
  } catch (error) {
    if (!(error instanceof OcppError)) throw error;
    return sendError(socket, messageId, error.kind, error.message, error.details);
  }
  const current = currentTurn();
  if (inWorker) current.frames += `${chargerId}${FRAME_SEPARATOR}${text}${FRAME_SEPARATOR}`;
  else pushMeterRows(current.rows, chargerId, payload as MeterValuesRequest, current.receivedAt);
  current.sockets.push(socket);
  current.answers.push(`[${CALLRESULT},${JSON.stringify(messageId)},{}]`);
}

function chargerIdOf(request: IncomingMessage): string {
  const last = (request.url ?? '').split('?')[0]!.split('/').pop() ?? '';
  try {
    return decodeURIComponent(last);
  } catch {
    return ''; // malformed percent-encoding: refused as no id
  }
}

const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false, handleProtocols: (protocols) => [...protocols][0] ?? false });
server.on('connection', (socket, request) => {
  const chargerId = chargerIdOf(request);
  if (chargerId === '' || chargerId.includes(FRAME_SEPARATOR)) {
    socket.close(1008, 'A charger id follows /ocpp/');
    return;
  }
  socket.on('message', (data) => onFrame(socket, chargerId, data));
});
void storage.ready.then(() => {
  const report = () => {
    const address = server.address();
    process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  };
  if (server.address()) report();
  else server.once('listening', report);
});
process.on('SIGTERM', () =>
  server.close(() => {
    storage.close();
    if (!inWorker) process.exit(0);
  }),
);
