/** The stream.streamspace.io/v1alpha1 kinds, one reference per kind, for every part that reads or writes them. */
import type { KindRef } from '../../../apimachinery/kind.ts';
import { apiVersion } from './groupversion.ts';

/** stream.streamspace.io/v1alpha1 Session. */
export const SessionKind = { apiVersion, kind: 'Session' } as const satisfies KindRef;
/** stream.streamspace.io/v1alpha1 Template. */
export const TemplateKind = { apiVersion, kind: 'Template' } as const satisfies KindRef;
/** stream.streamspace.io/v1alpha1 SessionQuota (cluster-scoped). */
export const SessionQuotaKind = { apiVersion, kind: 'SessionQuota' } as const satisfies KindRef;
/** stream.streamspace.io/v1alpha1 NodeOperation (cluster-scoped). */
export const NodeOperationKind = { apiVersion, kind: 'NodeOperation' } as const satisfies KindRef;
