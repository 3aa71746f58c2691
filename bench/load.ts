import WebSocket from 'ws';

/**
 * A lean load generator: many charger connections, each waiting for the answer to its CALL
 * before sending the next (as OCPP-J requires). Frames are prebuilt strings; answers are
 * matched by arrival (one outstanding CALL per connection) so the generator spends as little
 * CPU as possible and the server is what gets measured.
 */
export interface LoadConnection {
  ws: WebSocket;
  id: string;
}

export async function openConnections(
  url: string,
  ids: string[],
  protocol = 'ocpp1.6',
  parallel = 200,
): Promise<LoadConnection[]> {
  const connections: LoadConnection[] = [];
  for (let i = 0; i < ids.length; i += parallel) {
    const batch = ids.slice(i, i + parallel);
    connections.push(
      ...(await Promise.all(
        batch.map(
          (id) =>
            new Promise<LoadConnection>((resolve, reject) => {
              const ws = new WebSocket(`${url}${encodeURIComponent(id)}`, [protocol], { perMessageDeflate: false });
              ws.once('open', () => resolve({ ws, id }));
              ws.once('error', reject);
            }),
        ),
      )),
    );
  }
  return connections;
}

/** One request/answer on a connection; resolves with the parsed answer. */
export function request(connection: LoadConnection, frame: string): Promise<unknown[]> {
  return new Promise((resolve) => {
    connection.ws.once('message', (data) => resolve(JSON.parse(data.toString()) as unknown[]));
    connection.ws.send(frame);
  });
}

/**
 * Closed loop for `durationMs`: every connection sends `makeFrame(connection, n)` as soon as its
 * previous answer arrived. Returns the number of completed round trips.
 */
export function closedLoop(
  connections: LoadConnection[],
  makeFrame: (connection: LoadConnection, sequence: number) => string,
  durationMs: number,
): Promise<{ roundTrips: number; errors: number; elapsedMs: number }> {
  return new Promise((resolve) => {
    let roundTrips = 0;
    let errors = 0;
    let running = true;
    const startedMs = Date.now();
    let open = connections.length;
    for (const connection of connections) {
      let sequence = 0;
      const onMessage = (data: WebSocket.RawData) => {
        // A CALLERROR starts with [4 — counted, not retried.
        if ((data as Buffer)[1] === 0x34) errors++;
        else roundTrips++;
        if (running) connection.ws.send(makeFrame(connection, ++sequence));
        else {
          connection.ws.off('message', onMessage);
          if (--open === 0) resolve({ roundTrips, errors, elapsedMs: Date.now() - startedMs });
        }
      };
      connection.ws.on('message', onMessage);
      connection.ws.send(makeFrame(connection, sequence));
    }
    setTimeout(() => {
      running = false;
    }, durationMs);
  });
}

export function percentile(sortedValues: number[], fraction: number): number {
  if (sortedValues.length === 0) return 0;
  return sortedValues[Math.min(sortedValues.length - 1, Math.floor(fraction * sortedValues.length))]!;
}
