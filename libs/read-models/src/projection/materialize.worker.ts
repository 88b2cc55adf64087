// A materializing thread (see materialize-workers.ts). A worker has a module system of its own:
// from dist/ it registers the @agreements/* aliases itself before loading anything of ours (from
// the sources, the swc hook it was started with does).
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

if (!__filename.endsWith('.ts')) require(join(__dirname, '..', '..', '..', '..', '..', 'scripts', 'register-paths.js'));

const { runMaterializeWorker } = require('./materialize-thread') as typeof import('./materialize-thread');
runMaterializeWorker(parentPort!, workerData);
