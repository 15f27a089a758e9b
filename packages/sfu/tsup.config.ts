import { defineConfig } from 'tsup';

export default defineConfig({
  // The engine thread is a second entry: `Worker` starts it with `new URL('./engine-thread.js', import.meta.url)`.
  entry: { index: 'src/index.ts', 'engine-thread': 'src/engine/thread.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node22',
  platform: 'node',
});
