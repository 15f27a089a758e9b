/** Runs the EHR example against a local Alcove server: `pnpm --filter @alcove/example-ehr-app start`. */
import { fileURLToPath } from 'node:url';
import { PortInUseError, startDemo, type Demo } from '../embed-html/demo-server.js';

const port = Number(process.env.PORT ?? 5174);
let demo: Demo;
try {
  demo = await startDemo({ port, site: { dir: fileURLToPath(new URL('.', import.meta.url)), entry: 'app.ts' } });
} catch (e) {
  if (!(e instanceof PortInUseError)) throw e;
  process.stderr.write(
    `Port ${port} is already in use on 127.0.0.1. Pick another port: PORT=${port === 65535 ? 5175 : port + 1} pnpm start\n`,
  );
  process.exit(1);
}
process.stdout.write(`EHR example running:\n  therapist: ${demo.url}/#role=host\n  client:    ${demo.url}/#role=client\n`);
const stop = () => void demo.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
