/**
 * The custom-elements manifest of @alcove/ui, from the JSDoc of each element (`pnpm --filter
 * @alcove/ui manifest`). `CEM_OUTDIR` writes it elsewhere (the manifest test checks the committed
 * one is up to date).
 */
export default {
  globs: ['src/elements/*.ts', 'src/base/alcove-element.ts', 'src/base/session-part.ts'],
  exclude: ['src/**/*.test.ts'],
  outdir: process.env.CEM_OUTDIR ?? '.',
  packagejson: !process.env.CEM_OUTDIR,
  dev: false,
  plugins: [
    {
      name: 'alcove-private-members',
      packageLinkPhase({ customElementsManifest }) {
        // Private (#) members and inherited plumbing are not part of the documented API.
        for (const mod of customElementsManifest.modules) {
          for (const d of mod.declarations ?? []) {
            if (d.members)
              d.members = d.members.filter((m) => !m.name.startsWith('#') && m.privacy !== 'private' && m.privacy !== 'protected');
          }
        }
      },
    },
  ],
};
