import { defineConfig } from 'tsup';

export default defineConfig({
  // `fixtures`: sample requests for tests (`@alcove/protocol/fixtures`), kept out of the main entry.
  entry: ['src/index.ts', 'src/fixtures.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'browser',
});
