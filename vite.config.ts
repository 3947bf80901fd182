import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';
import { precompress } from './src/build/precompress.ts';

const apiTarget = process.env.PARLEY_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [solid(), precompress()],
  root: '.',
  // Source maps are built for debugging; the server does not hand them out in production.
  build: { outDir: 'dist/client', emptyOutDir: true, sourcemap: true },
  server: {
    port: 5173,
    // `npm run dev`: Vite serves the client with hot reload and forwards the API to the Parley server.
    proxy: {
      '/trpc': { target: apiTarget, ws: true, changeOrigin: false },
      '/avatars': { target: apiTarget },
      '/images': { target: apiTarget },
    },
  },
});
