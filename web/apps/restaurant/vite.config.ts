import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// base './': the built app works from any path (the router's origin or its own port).
export default defineConfig({
  base: './',
  plugins: [react()],
  build: { outDir: 'dist', sourcemap: false, reportCompressedSize: true },
  test: { environment: 'jsdom' },
} as never);
