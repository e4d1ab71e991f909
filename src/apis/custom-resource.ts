/**
 * The TypeScript shape of an instance of one of our custom resources: a KubeObject whose
 * apiVersion, kind, spec and status are typed by the resource's schema.
 */
import type { KubeObject, ObjectMeta } from '../apimachinery/object.ts';

/** An object of kind `K` in API version `A`, with spec `S` and (controller-written) status `T`. */
export interface CustomResource<A extends string, K extends string, S, T> extends KubeObject {
  apiVersion: A;
  kind: K;
  metadata: ObjectMeta;
  spec: S;
  status?: T;
}

/** The list form returned by a collection GET. */
export interface CustomResourceList<A extends string, K extends string, I> {
  apiVersion: A;
  kind: `${K}List`;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: I[];
}
