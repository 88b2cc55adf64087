#!/usr/bin/env node
// Builds the web console (apps/console/src) into dist/console: index.html, app.js and app.css,
// bundled and minified by esbuild (no CDN, nothing fetched at run time), and prints what the
// bundle weighs gzipped. Part of `npm run build`, so `npm start` serves it at /.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'console');
mkdirSync(out, { recursive: true });

await build({
  entryPoints: { app: join(root, 'apps/console/src/main.tsx') },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  platform: 'browser',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: join(root, 'apps/console/tsconfig.json'),
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(join(root, 'apps/console/src/index.html'), join(out, 'index.html'));

const sizes = Object.fromEntries(
  ['app.js', 'app.css', 'index.html'].map((file) => {
    const bytes = readFileSync(join(out, file));
    return [file, { bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }];
  }),
);
const total = Object.values(sizes).reduce((sum, s) => sum + s.gzip, 0);
// Beside the served folder, not in it: the bench reads it, browsers have no use for it.
writeFileSync(join(root, 'dist', 'console.sizes.json'), `${JSON.stringify({ ...sizes, totalGzip: total }, null, 2)}\n`);
if (!process.argv.includes('--quiet')) {
  console.log(`console: ${Object.entries(sizes).map(([f, s]) => `${f} ${(s.gzip / 1024).toFixed(1)} KiB gz`).join(', ')}; total ${(total / 1024).toFixed(1)} KiB gzipped`);
}
