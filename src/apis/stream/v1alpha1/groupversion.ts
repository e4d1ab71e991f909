/**
 * The API group and version of StreamSpace's own resources (kubebuilder's groupversion_info).
 */

/** The API group: `stream.streamspace.io`. */
export const group = 'stream.streamspace.io';

/** The served and stored version: `v1alpha1`. */
export const version = 'v1alpha1';

/** `apiVersion` as written in objects: `stream.streamspace.io/v1alpha1`. */
export const apiVersion = `${group}/${version}` as const;

/** The type of {@link apiVersion}, for typing objects. */
export type ApiVersion = typeof apiVersion;

/** Group and version together, as descriptions and clients take them. */
export const GroupVersion = { group, version } as const;
