/** `streamspace controller`: runs the StreamSpace controllers against KUBECONFIG or in-cluster config. */
export async function runController(_argv: string[]): Promise<void> {
  throw new Error('the controller is not part of this build yet');
}
