/**
 * A partial output file that grows by appends and can be cut back to a known size, which is
 * how a resumed fetch drops whatever an interrupted one wrote after its last checkpoint.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, renameSync, writeSync } from "node:fs";
import { NightowlError } from "../errors.ts";

export class PartFile {
  private fd: number | undefined;
  /** Bytes in the file. */
  size = 0;

  constructor(readonly path: string) {}

  /**
   * Opens the file cut back to `size` bytes (created when missing and `size` is 0).
   * @returns false when the file holds fewer than `size` bytes (or is missing): it lost data,
   *   and the caller must start it again from 0
   */
  open(size: number): boolean {
    try {
      this.fd = openSync(this.path, size === 0 ? "w+" : "r+");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw ioError(this.path, error);
    }
    try {
      if (fstatSync(this.fd).size < size) {
        this.close();
        return false;
      }
      ftruncateSync(this.fd, size);
    } catch (error) {
      throw ioError(this.path, error);
    }
    this.size = size;
    return true;
  }

  append(text: string): void {
    if (this.fd === undefined) throw new NightowlError("E_IO", `${this.path} is not open`);
    try {
      const buffer = Buffer.from(text);
      let done = 0;
      while (done < buffer.length) done += writeSync(this.fd, buffer, done, buffer.length - done, this.size + done);
      this.size += buffer.length;
    } catch (error) {
      throw ioError(this.path, error);
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }

  /** Syncs, closes and renames the file to `finalPath` (atomic within one file system). */
  commit(finalPath: string): void {
    try {
      if (this.fd !== undefined) fsyncSync(this.fd);
      this.close();
      renameSync(this.path, finalPath);
    } catch (error) {
      throw ioError(finalPath, error);
    }
  }
}

function ioError(path: string, error: unknown): NightowlError {
  return new NightowlError("E_IO", `cannot write ${path}: ${(error as Error).message}`, { cause: error });
}
