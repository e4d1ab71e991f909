/**
 * Reading and writing a value at a simple dotted JSON path (`.spec.replicas`), the form CRDs use
 * for scale subresource paths and selectable fields.
 */

/** The value at `path` in `obj`, or undefined when any step is missing. */
export function readDottedPath(obj: unknown, path: string): unknown {
  let v: any = obj;
  for (const part of path.replace(/^\./, '').split('.')) v = v?.[part];
  return v;
}

/** Sets the value at `path` in `obj`, creating the objects on the way. */
export function writeDottedPath(obj: Record<string, any>, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let v = obj;
  for (const p of parts.slice(0, -1)) v = v[p] ??= {};
  v[parts[parts.length - 1]] = value;
}
