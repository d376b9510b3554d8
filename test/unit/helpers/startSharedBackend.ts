// A separate process that finds or starts the shared local backend, as a VS Code window does, and
// prints what it got as one JSON line. Used to race two "windows" against each other.
//   node --import tsx startSharedBackend.ts '<SharedBackendOptions as JSON>'
import { findOrStartBackend, type SharedBackendOptions } from '../../../src/core/sharedBackend';

const options = JSON.parse(process.argv[2] ?? '{}') as SharedBackendOptions;
findOrStartBackend(options).then(
  ({ record, started }) => {
    process.stdout.write(`${JSON.stringify({ pid: record.pid, url: record.url, started })}\n`);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
