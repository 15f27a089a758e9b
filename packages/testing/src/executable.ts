import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where to look for a browser executable. */
export interface ExecutableSearch {
  /** Environment variable that names the executable; when set, only it is tried. */
  readonly envVar: string;
  /** Command names looked up in `PATH`, in order. */
  readonly names: readonly string[];
  /** Absolute paths tried last, in order. */
  readonly paths: readonly string[];
}

/**
 * Finds an executable: the path in `search.envVar` when set (and only that), else the first of
 * `search.names` in `env.PATH`, else the first of `search.paths` that exists. Returns the path, or
 * everything tried (for the caller's error message).
 */
export function findExecutable(search: ExecutableSearch, env: NodeJS.ProcessEnv): { path: string } | { tried: string[] } {
  const fromEnv = env[search.envVar];
  if (fromEnv) return existsSync(fromEnv) ? { path: fromEnv } : { tried: [`${search.envVar}=${fromEnv}`] };
  const tried: string[] = [];
  const dirs = (env.PATH ?? '').split(':').filter(Boolean);
  for (const name of search.names) {
    tried.push(name);
    for (const dir of dirs) if (existsSync(join(dir, name))) return { path: join(dir, name) };
  }
  for (const path of search.paths) {
    tried.push(path);
    if (existsSync(path)) return { path };
  }
  return { tried };
}
