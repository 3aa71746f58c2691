/** What this needs of a Db (written out here: importing Db from index.ts would make an import cycle). */
interface Writes {
  write<R>(run: () => R): Promise<R>;
}

/**
 * Writes `items` `perWrite` at a time, one write each, so the group commit can answer charger
 * messages between them: one write of a thousand chargers' rows held the event loop for
 * milliseconds (issue 17). Each piece commits or fails on its own; without `onFailure` the first
 * failure rejects the whole call, with it each failed piece is handed over and the rest go on.
 */
export async function writeInPieces<T>(
  db: Writes,
  items: readonly T[],
  perWrite: number,
  writePiece: (piece: readonly T[]) => void,
  onFailure?: (piece: readonly T[], error: unknown) => void,
): Promise<void> {
  const pieces: Promise<void>[] = [];
  for (let start = 0; start < items.length; start += perWrite) {
    const piece = items.slice(start, start + perWrite);
    const written = db.write(() => writePiece(piece));
    pieces.push(onFailure ? written.catch((error: unknown) => onFailure(piece, error)) : written);
  }
  await Promise.all(pieces);
}
