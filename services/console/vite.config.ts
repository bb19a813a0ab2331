import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/console/',
  build: {
    outDir: '../../dist/console',
    emptyOutDir: true,
    // Cytoscape alone is about 400 kB minified; one chunk keeps the first paint to two requests.
    chunkSizeWarningLimit: 1024,
  },
});
