/** Runs the EHR example against a local Alcove server: `pnpm --filter @alcove/example-ehr-app start`. */
import { fileURLToPath } from 'node:url';
import { startDemo } from '../embed-html/demo-server.js';

const demo = await startDemo({ port: Number(process.env.PORT ?? 5174), site: { dir: fileURLToPath(new URL('.', import.meta.url)), entry: 'app.ts' } });
process.stdout.write(`EHR example running:\n  therapist: ${demo.url}/#role=host\n  client:    ${demo.url}/#role=client\n`);
const stop = () => void demo.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
