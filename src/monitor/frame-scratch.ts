/**
 * Reused Float64 storage for the frames an analysis reads. Each 5-minute slot's analysis decodes
 * 26 h of every column of the device's buffer (about 290 KB of Float64 a device) and drops it
 * a millisecond later; a fleet opens every device's slot in the same poll, so that was the
 * largest share of the garbage behind the collector's headroom. The analyses run one at a time
 * (synchronously), so one set of arrays, grown to the biggest frame seen, serves every device.
 *
 * A frame decoded into a scratch is valid until the scratch's next use: nothing may keep it, or
 * anything built on its arrays, past the call it was made for.
 */
export class FrameScratch {
  private readonly stores: Float64Array<ArrayBuffer>[] = [];

  /** `rows` doubles of slot `i` (a view of the slot's store; its previous contents are gone). */
  take(i: number, rows: number): Float64Array<ArrayBuffer> {
    let store = this.stores[i];
    // An eighth over, as the buffer grows: a buffer of a day's rows grows a row at a time.
    if (!store || store.length < rows) this.stores[i] = store = new Float64Array(Math.ceil(rows * 1.125) + 1);
    return store.subarray(0, rows);
  }

  /** Bytes held. */
  bytes(): number {
    return this.stores.reduce((n, s) => n + s.byteLength, 0);
  }
}
