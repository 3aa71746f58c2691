import { WebSocketServer } from 'ws';

/**
 * The ceiling: a bare `ws` server on the same machine that answers each frame with the same
 * frame, doing no parsing, validation or storage. Started as its own process by bench/run.ts.
 */
const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false, handleProtocols: (protocols) => [...protocols][0] ?? false });
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});
server.on('listening', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
