import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli.ts', 'client/index': 'src/client/index.ts', 'testing/index': 'src/testing/index.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts', 'client/index': 'src/client/index.ts', 'testing/index': 'src/testing/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node22',
  platform: 'node',
});
