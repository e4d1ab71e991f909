/**
 * Failures injected into simulated containers, so operators can be tested against pods that never
 * become ready: the pod annotation `sim.streamspace.io/fail` (ImagePullBackOff, ErrImagePull or
 * CrashLoopBackOff; for every app container, or only the one named in
 * `sim.streamspace.io/fail-container`), or an image matching one of the `failImages` expressions
 * (that image's pulls fail, in any container).
 */
import type { KubeObject } from '../../../apimachinery/object.ts';

/** How a simulated container fails. */
export type FailureMode = 'ImagePull' | 'Crash';

/** Annotations that tune a pod's simulation. */
export const SIM_ANNOTATIONS = {
  fail: 'sim.streamspace.io/fail',
  failContainer: 'sim.streamspace.io/fail-container',
  startDelay: 'sim.streamspace.io/start-delay-ms',
  readyDelay: 'sim.streamspace.io/ready-delay-ms',
  log: 'sim.streamspace.io/log',
} as const;

function imageFails(image: string, failImages: string[]): boolean {
  return failImages.some((re) => {
    try {
      return new RegExp(re).test(image);
    } catch {
      return false;
    }
  });
}

/** The failure injected into `container` of `pod`, if any. */
export function injectedFailure(pod: KubeObject, container: any, isInit: boolean, failImages: string[]): FailureMode | undefined {
  if (imageFails(String(container.image ?? ''), failImages)) return 'ImagePull';
  const annotations = pod.metadata.annotations ?? {};
  const mode = annotations[SIM_ANNOTATIONS.fail];
  if (!mode) return undefined;
  const only = annotations[SIM_ANNOTATIONS.failContainer];
  if (only ? only !== container.name : isInit) return undefined;
  if (mode === 'ImagePullBackOff' || mode === 'ErrImagePull') return 'ImagePull';
  if (mode === 'CrashLoopBackOff') return 'Crash';
  return undefined;
}

/** A per-pod delay from an annotation, or the fallback. */
export function annotatedDelay(pod: KubeObject, annotation: string, fallback: number): number {
  const raw = pod.metadata.annotations?.[annotation];
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}
