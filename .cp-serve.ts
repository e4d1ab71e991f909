import { startControlPlane } from './src/controlplane/index.ts';
await startControlPlane({ kubeconfigPath: '/tmp/pb/kubeconfig' });
console.log('ready');
setInterval(() => {}, 1 << 30);
