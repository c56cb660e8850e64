/**
 * Headless Chromium for end-to-end tests (Debian's `chromium`): where it is, one call that
 * loads a page and returns the DOM it built with a screenshot, and a small PNG decoder to check
 * the screenshot's pixels.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";

/** The browser's path, or undefined when it is not installed (the test then skips). */
export const chromium = ["/usr/bin/chromium", Bun.which("chromium"), Bun.which("chromium-browser")].find((p) => p && existsSync(p)) ?? undefined;

/**
 * Loads `url` in a fresh headless profile under `dir`, writes a `width`×`height` screenshot to
 * `png` and resolves with the DOM after load (`--dump-dom`). Throws when Chromium fails.
 */
export async function renderPage(url: string, options: { dir: string; png: string; width: number; height: number }): Promise<string> {
  const proc = Bun.spawn([
    chromium!, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", `--user-data-dir=${join(options.dir, "profile")}`, `--screenshot=${options.png}`, "--dump-dom",
    `--window-size=${options.width},${options.height}`, url,
  ], { stdout: "pipe", stderr: "ignore" });
  const dom = await new Response(proc.stdout).text();
  const code = await proc.exited;
  if (code !== 0) throw new Error(`chromium exited ${code} loading ${url}`);
  return dom;
}

export interface Png { width: number; height: number; channels: number; pixels: Uint8Array }

/** Reads a PNG file Chromium wrote. */
export function readPng(path: string): Png {
  return decodePng(readFileSync(path));
}

/** A minimal decoder for the 8-bit RGB/RGBA, non-interlaced PNGs Chromium writes. */
export function decodePng(buf: Buffer): Png {
  if (buf.subarray(0, 8).toString("hex") !== "89504e470d0a1a0a") throw new Error("not a PNG");
  let pos = 8, width = 0, height = 0, channels = 0;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString("ascii", pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      channels = data[9] === 6 ? 4 : data[9] === 2 ? 3 : 0;
      if (data[8] !== 8 || channels === 0 || data[12] !== 0) throw new Error("unsupported PNG: expected 8-bit RGB or RGBA, not interlaced");
    } else if (type === "IDAT") idat.push(data);
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= channels ? pixels[y * stride + x - channels]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels]! : 0;
      let p = 0;
      if (filter === 1) p = a;
      else if (filter === 2) p = b;
      else if (filter === 3) p = (a + b) >> 1;
      else if (filter === 4) {
        const e = a + b - c, pa = Math.abs(e - a), pb = Math.abs(e - b), pc = Math.abs(e - c);
        p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pixels[y * stride + x] = (v + p) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

/** Pixels within `tolerance` of the colour `hex` ("#c62828") in each channel. */
export function countColour(image: Png, hex: string, tolerance = 12): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < image.pixels.length; i += image.channels) {
    if (Math.abs(image.pixels[i]! - r!) < tolerance && Math.abs(image.pixels[i + 1]! - g!) < tolerance && Math.abs(image.pixels[i + 2]! - b!) < tolerance) n++;
  }
  return n;
}
