// The status summaries' thread (see status-thread.ts). A worker has a module system of its own:
// from dist/ it registers the @agreements/* aliases itself before loading anything of ours (from
// the sources, the swc hook it was started with does).
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

if (!__filename.endsWith('.ts')) require(join(__dirname, '..', '..', '..', '..', '..', 'scripts', 'register-paths.js'));

const { runStatusThread } = require('./status-thread-body') as typeof import('./status-thread-body');
void runStatusThread(parentPort!, workerData);
