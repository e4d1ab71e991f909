// Vite builds web/ into web/dist, which the API serves at `/`. In development (`npx vite web`)
// the dev server proxies the API, its WebSocket and the gateway to STREAMSPACE_API_URL.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const api = process.env.STREAMSPACE_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/api/v1/ws': { target: api, ws: true },
      '/api': api,
      '/s/': { target: api, ws: true },
      '/.well-known': api,
    },
  },
});
