/**
 * A set of field paths owned by one field manager, convertible to and from the `fieldsV1` wire
 * form (`{"f:spec":{"f:replicas":{}}}`). A path that is both owned itself and has owned children
 * is written with a `".": {}` member, as kube-apiserver does for list items.
 */
import { isPrefixOf, pathId, type FieldPath } from './field-path.ts';
import { isJsonObject, setMember, type JsonObject } from './json-value.ts';

/** A set of field paths. */
export class FieldSet {
  readonly #paths = new Map<string, FieldPath>();

  constructor(paths: Iterable<FieldPath> = []) {
    for (const path of paths) this.add(path);
  }

  /** Decodes `fieldsV1`; anything that is not an object decodes to the empty set. */
  static fromFieldsV1(fields: unknown): FieldSet {
    const set = new FieldSet();
    if (isJsonObject(fields)) collectFieldsV1(fields, [], set);
    return set;
  }

  /** The number of paths. */
  get size(): number {
    return this.#paths.size;
  }

  add(path: FieldPath): void {
    this.#paths.set(pathId(path), [...path]);
  }

  has(path: FieldPath): boolean {
    return this.#paths.has(pathId(path));
  }

  /** The paths, shortest first. */
  paths(): FieldPath[] {
    return [...this.#paths.values()].sort((a, b) => a.length - b.length);
  }

  /** True when some path is `path` itself or lies under it. */
  hasWithin(path: FieldPath): boolean {
    for (const member of this.#paths.values()) if (isPrefixOf(path, member)) return true;
    return false;
  }

  /** True when `path` or one of its ancestors is in the set. */
  coversPath(path: FieldPath): boolean {
    for (let length = path.length; length > 0; length--) if (this.has(path.slice(0, length))) return true;
    return false;
  }

  union(other: FieldSet): FieldSet {
    return new FieldSet([...this.#paths.values(), ...other.#paths.values()]);
  }

  difference(other: FieldSet): FieldSet {
    return this.filter((path) => !other.has(path));
  }

  filter(keep: (path: FieldPath) => boolean): FieldSet {
    return new FieldSet([...this.#paths.values()].filter(keep));
  }

  equals(other: FieldSet): boolean {
    return this.size === other.size && [...this.#paths.keys()].every((id) => other.#paths.has(id));
  }

  /** The `fieldsV1` form. */
  toFieldsV1(): JsonObject {
    const root: Trie = { member: false, children: new Map() };
    for (const path of this.#paths.values()) insertPath(root, path);
    return serializeTrie(root);
  }
}

/** The paths as a tree, to write fieldsV1. */
interface Trie {
  member: boolean;
  children: Map<string, Trie>;
}

function collectFieldsV1(node: JsonObject, path: FieldPath, set: FieldSet): void {
  for (const [element, child] of Object.entries(node)) {
    if (element === '.') continue;
    const childPath = [...path, element];
    const members = isJsonObject(child) ? Object.keys(child) : [];
    if (members.length === 0 || members.includes('.')) set.add(childPath);
    if (isJsonObject(child)) collectFieldsV1(child, childPath, set);
  }
}

function insertPath(root: Trie, path: FieldPath): void {
  let node = root;
  for (const element of path) {
    let child = node.children.get(element);
    if (!child) {
      child = { member: false, children: new Map() };
      node.children.set(element, child);
    }
    node = child;
  }
  node.member = true;
}

function serializeTrie(node: Trie): JsonObject {
  const out: JsonObject = {};
  if (node.member && node.children.size > 0) out['.'] = {};
  for (const key of [...node.children.keys()].sort()) setMember(out, key, serializeTrie(node.children.get(key) as Trie));
  return out;
}
