/**
 * The web app's build (`npm run build`): src/web/ in, dist/web/ out, where the
 * gateway serves it at `/`. Hashed file names under assets/ let the gateway
 * cache them for a year; index.html is revalidated on every visit.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src/web',
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
  },
});
