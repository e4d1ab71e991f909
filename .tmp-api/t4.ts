import { ApiMetrics } from '../src/api/metrics.ts';
const m = new ApiMetrics();
m.requestDuration.observe({ method: 'POST', route: '/api/v1/sessions/:id/heartbeat', status: '202' }, 0.0004);
console.log((await m.registry.getSingleMetricAsString('streamspace_api_request_duration_seconds')).split('\n').slice(0, 4).join('\n'));
