/**
 * Writes a file so a reader sees the old content or the new, never half of it: the text goes
 * to a temporary file beside the target (same filesystem) and is renamed over it.
 */
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** Throws the filesystem's error; the temporary file is removed on failure. */
export function writeFileAtomic(path: string, text: string, mode = 0o644): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, text, { mode });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
