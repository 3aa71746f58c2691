import fs from 'node:fs';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

/**
 * The ceilings, each started as its own process by bench/run.ts.
 *
 * - Bare: a `ws` server on the same machine that answers each frame with the same frame, doing
 *   no parsing, validation or storage.
 * - Durable (`ECHO_DURABLE_FILE` set): the same, but a frame is answered only once it is on disk,
 *   the cheapest way there is: the frames of one event-loop turn are written to the file with one
 *   `writev`, `fdatasync`s run on libuv's thread pool (up to two at once, as the appliance's), and
 *   when one returns every frame written before it started is answered. That is the appliance's
 *   group commit without SQLite, JSON or any domain work, so no durable answer on this machine
 *   can come faster or more often than this one's. The file is rewritten from the start past 64 MiB (as the
 *   appliance's WAL starts over), so the disk sees overwrites, not a file growing without end.
 */
const durableFile = process.env.ECHO_DURABLE_FILE;
const REWIND_AT_BYTES = 64 * 1024 * 1024;

interface Frame {
  socket: WebSocket;
  data: RawData;
  isBinary: boolean;
}

function durableEcho(file: string): (frame: Frame) => void {
  const fd = fs.openSync(file, 'w');
  let position = 0;
  let unwritten: Frame[] = [];
  let writeScheduled = false;
  /** Written, waiting for the next fdatasync to start. */
  let unsynced: Frame[] = [];

  const answer = (frames: Frame[]) => {
    for (const frame of frames) frame.socket.send(frame.data, { binary: frame.isBinary });
  };
  /** Frames of the syncs under way, oldest first: a sync that returns answers its own and every older one's. */
  const inFlight: Frame[][] = [];
  const startSync = () => {
    if (inFlight.length >= 2 || unsynced.length === 0) return;
    const covered = unsynced;
    unsynced = [];
    inFlight.push(covered);
    fs.fdatasync(fd, (error) => {
      if (error) throw error;
      const index = inFlight.indexOf(covered);
      if (index >= 0) for (const frames of inFlight.splice(0, index + 1)) answer(frames);
      startSync();
    });
  };
  const write = () => {
    writeScheduled = false;
    const frames = unwritten;
    unwritten = [];
    const buffers = frames.map((frame) => frame.data as Buffer);
    const bytes = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    if (position + bytes > REWIND_AT_BYTES) position = 0;
    fs.writevSync(fd, buffers, position);
    position += bytes;
    unsynced.push(...frames);
    startSync();
  };
  return (frame) => {
    unwritten.push(frame);
    if (!writeScheduled) {
      writeScheduled = true;
      setImmediate(write);
    }
  };
}

const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false, handleProtocols: (protocols) => [...protocols][0] ?? false });
const durable = durableFile ? durableEcho(durableFile) : undefined;
server.on('connection', (socket) => {
  if (durable) socket.on('message', (data, isBinary) => durable({ socket, data, isBinary }));
  else socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});
server.on('listening', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
