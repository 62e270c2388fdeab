// Key paths <-> source positions in a parsed YAML document, so every mapping error can name the file,
// line and column of the value (or key) an admin has to fix.
import { isAlias, isCollection, isMap, isNode, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

export type KeyPath = (string | number)[];

export interface Located {
  /** 0-based character offset in the source. */
  offset: number;
  /** Whether the whole path exists (false: the position is of the nearest existing parent). */
  found: boolean;
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

function start(node: unknown): number | null {
  return isNode(node) && node.range ? node.range[0] : null;
}

/**
 * The position of `path` in `doc`: the value's start; for a block collection, or a key with an empty
 * value, the start of its key (that is the line an admin reads as "this entry"). With `preferKey` the
 * key's start is returned whenever there is one (errors about the key itself, e.g. an unknown key).
 */
export function locatePath(doc: Document, path: KeyPath, opts: { preferKey?: boolean } = {}): Located {
  let node: unknown = doc.contents;
  let keyNode: unknown = null;
  let best = start(node) ?? 0;
  let found = true;

  const pick = (): number => {
    const keyStart = start(keyNode);
    const valueStart = start(node);
    const emptyValue = node === null || (isScalar(node) && node.value === null && node.source === '');
    if (keyStart !== null && (opts.preferKey || emptyValue || (isCollection(node) && !node.flow) || valueStart === null)) return keyStart;
    return valueStart ?? keyStart ?? best;
  };

  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc) ?? null;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(seg));
      if (!pair) {
        found = false;
        break;
      }
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      keyNode = null;
      node = node.items[seg];
    } else {
      found = false;
      break;
    }
    best = pick();
  }
  return { offset: found ? pick() : best, found };
}

/**
 * The key path of the innermost node containing `offset` (for syntax errors, which come with positions
 * only). A broken file parses into odd shapes: descent stops at a key that spans lines, which is never
 * what the admin wrote as a key.
 */
export function pathAtOffset(doc: Document, source: string, offset: number): KeyPath {
  const path: KeyPath = [];
  let node: unknown = doc.contents;
  const contains = (n: unknown) => isNode(n) && n.range && n.range[0] <= offset && offset <= n.range[2];
  for (;;) {
    if (!contains(node)) return path;
    if (isMap(node)) {
      // The entry an offset belongs to is the last one starting at or before it.
      const pair = node.items.filter((p) => (start(p.key) ?? Infinity) <= offset).at(-1);
      if (!pair || !isNode(pair.key) || !pair.key.range) return path;
      if (source.slice(pair.key.range[0], pair.key.range[1]).includes('\n')) return path;
      path.push(keyText(pair.key));
      if (!contains(pair.value)) return path;
      node = pair.value;
    } else if (isSeq(node)) {
      const i = node.items.findLastIndex((item) => (start(item) ?? Infinity) <= offset);
      if (i < 0) return path;
      path.push(i);
      node = node.items[i];
    } else {
      return path;
    }
  }
}

export function lineCol(counter: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = counter.linePos(offset);
  // linePos reports line 0 before the first newline was seen.
  return line === 0 ? { line: 1, column: offset + 1 } : { line, column: col };
}

/** `work.tasks[2].due`; keys that are not plain identifiers are quoted: `people["team lead"]`. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(top level)';
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
