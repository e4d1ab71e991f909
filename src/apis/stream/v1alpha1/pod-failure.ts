/** Which pod states mean a session cannot start: the Session controller reports them as Failed, code-server instances as their error. */

/** Container waiting reasons that mean the pod cannot start without someone fixing something. */
export const FATAL_WAITING_REASONS = new Set([
  'ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CrashLoopBackOff',
  'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError',
]);
