import { writeInPieces } from './write-pieces';

/** A writer that runs each write at once and fails those whose piece holds `failing`. */
function writer(failing?: number) {
  const writes: number[][] = [];
  return {
    writes,
    write<R>(run: () => R): Promise<R> {
      try {
        return Promise.resolve(run());
      } catch (error) {
        return Promise.reject(error);
      }
    },
    piece(piece: readonly number[]) {
      if (failing !== undefined && piece.includes(failing)) throw new Error('disk full');
      writes.push([...piece]);
    },
  };
}

describe('writeInPieces', () => {
  test('writes the items perWrite at a time, in order, one write each', async () => {
    const db = writer();
    await writeInPieces(db, [1, 2, 3, 4, 5], 2, (piece) => db.piece(piece));
    expect(db.writes).toEqual([[1, 2], [3, 4], [5]]);
  });

  test('without onFailure a failed piece rejects the call; with it the failed piece is handed over and the others commit', async () => {
    const strict = writer(3);
    await expect(writeInPieces(strict, [1, 2, 3, 4, 5], 2, (piece) => strict.piece(piece))).rejects.toThrow('disk full');
    const lenient = writer(3);
    const failed: number[][] = [];
    await writeInPieces(lenient, [1, 2, 3, 4, 5], 2, (piece) => lenient.piece(piece), (piece) => failed.push([...piece]));
    expect(lenient.writes).toEqual([[1, 2], [5]]);
    expect(failed).toEqual([[3, 4]]);
  });
});
