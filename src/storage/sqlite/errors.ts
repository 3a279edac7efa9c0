/** Turns SQLite and file-system failures into StorageError messages that say what to do. */
import { StorageError } from '../../errors.js';

export function sqliteCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

export function storageFailure(file: string, doing: string, err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  const code = sqliteCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  let advice: string;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_BUSY')) {
    advice = 'another process (or another engine in this process) holds it open. Stop that engine first, or open a different file; a lock left by a killed process is released by the system.';
  } else if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT')) {
    advice = 'the file is not a SQLite database or is damaged. Point storage at a new file, or restore this one from a backup.';
  } else if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    advice = 'the disk (or the configured size limit) is full. Free space or raise the limit, then retry; nothing of this write was kept.';
  } else if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
    advice = 'the file or its directory is not writable (the store also writes a -wal file next to it). Make the directory writable, or choose a path in a writable directory.';
  } else if (code.startsWith('SQLITE_IOERR')) {
    advice = 'the disk reported an I/O error. Check the device and free space, then reopen; nothing of this write was kept.';
  } else {
    advice = 'see the cause for details.';
  }
  return new StorageError(`SQLite store ${file}: ${doing} failed (${code || 'error'}: ${detail}): ${advice}`, { file, cause: err });
}
