import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

export default defineConfig({
  root,
  plugins: [preact()],
  build: {
    outDir: `${root}/dist`,
    emptyOutDir: true,
    // Small assets stay files too: the server's CSP forbids data: scripts and inline code.
    assetsInlineLimit: 0,
  },
  server: {
    // `vite --config web/vite.config.ts` during development, next to `npx tsx src/main.ts`.
    proxy: { '/api': 'http://localhost:3000' },
  },
});
