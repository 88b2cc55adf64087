// The first module of every thread WorkerThread starts. A thread has a module system of its own:
// run from dist/, it registers the @agreements/* aliases before loading anything of ours (run from
// the sources, the swc hook it was started with did).
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

if (!__filename.endsWith('.ts')) require(join(__dirname, '..', '..', '..', '..', 'scripts', 'register-paths.js'));

const { serveThread } = require('./serve-thread') as typeof import('./serve-thread');
void serveThread(parentPort!, workerData);
