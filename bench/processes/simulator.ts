/** The MAVI simulator in its own process, for the benchmarks: no hashing (a cheap sink), callbacks on request. */
import { TestSimulator } from '../../test/utils/test-simulator.js';

const simulator = new TestSimulator({ manualCallbacks: true, controlApi: true, skipHash: true });
await simulator.start();
process.stdout.write(`SIMULATOR ${simulator.url} ${simulator.apiKey}\n`);
process.on('SIGTERM', () => {
  void simulator.stop().then(() => process.exit(0));
});
