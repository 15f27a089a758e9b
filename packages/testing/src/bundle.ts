import { build } from 'esbuild';

/** Options for {@link bundleForBrowser}. */
export interface BundleOptions {
  /** Module specifier aliases, e.g. `{ '@alcove/core': '/abs/packages/core/src/index.ts' }`. */
  readonly alias?: Record<string, string>;
  /** Folder that bare imports resolve from (a package folder with node_modules). */
  readonly resolveDir?: string;
  /** Minify the output. Default false. */
  readonly minify?: boolean;
}

/**
 * Bundles a browser entry (a file path) into one ESM script for a test page.
 * @example
 * const js = await bundleForBrowser('/abs/path/page.ts');
 */
export async function bundleForBrowser(entry: string, options: BundleOptions = {}): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'inline',
    minify: options.minify ?? false,
    ...(options.alias ? { alias: options.alias } : {}),
    ...(options.resolveDir ? { absWorkingDir: options.resolveDir } : {}),
    logLevel: 'silent',
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error(`esbuild produced no output for ${entry}`);
  return out.text;
}
