/** Kind references: which kind an object is, by apiVersion and kind, as every client and server names it. */

/** Identifies a kind: `{ apiVersion: 'v1', kind: 'ConfigMap' }`. Any object is a KindRef. */
export interface KindRef {
  apiVersion: string;
  kind: string;
}
