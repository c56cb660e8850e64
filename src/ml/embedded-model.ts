/**
 * The shipped global model, carried inside the program: `bun build --compile` embeds the file
 * and this import names its place in the executable's own file system (`/$bunfs/…`), which
 * `readFileSync` reads like any file; run from source it is the file in models/global/. So the
 * compiled binary scores from any folder, and a model on disk still wins (model-resolver.ts).
 */
import embedded from "../../models/global/leak_detector.json" with { type: "file" };

/** Where the embedded global model can be read. TypeScript types the import as the JSON; Bun gives the path. */
export const EMBEDDED_MODEL_PATH: string = String(embedded as unknown);

/**
 * A model path as messages show it: the embedded model as "the shipped model", since its
 * place in the executable (`/$bunfs/root/leak_detector-ebd7nvhy.json`) means nothing to anyone.
 */
export function shownModelPath(path: string): string {
  return path === EMBEDDED_MODEL_PATH ? "the shipped model" : path;
}
