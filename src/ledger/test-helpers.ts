import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Database } from '../db';

/** A fresh, migrated database file in its own temp folder; `cleanup` closes and removes it. */
export function freshDatabase(): { db: Database; file: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chargeyard-money-'));
  const file = path.join(dir, 'test.sqlite');
  const db = Database.open(file);
  return {
    db,
    file,
    cleanup: () => {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
