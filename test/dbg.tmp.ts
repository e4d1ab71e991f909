import { startTestCluster } from './support/control-plane.ts';
import { kubectlFor } from './support/kubectl.ts';
const c = await startTestCluster();
const k = kubectlFor(c.kubeconfigPath, c.tmp);
console.log(await k.run(['create', 'namespace', 'kt']));
console.log(await k.run(['api-resources']));
await c.stop();
