// Writes N signed template webhooks with unique event ids (timestamp, signature, body per line) for wrk.
//   node --import tsx ops/bench/sign-webhooks.ts <file> <count> <secret>
import fs from 'node:fs';
import { signTemplateWebhook } from '../../connectors/_template/webhooks';

const [file = '/tmp/webhooks.txt', count = '150000', secret = 'whsec_bench_0123456789abcdef'] = process.argv.slice(2);
// Signed a minute ahead: the requests stay inside the 5-minute window for the whole run.
const at = Math.floor(Date.now() / 1000) + 60;
const lines: string[] = [];
for (let i = 0; i < Number(count); i++) {
  const body = JSON.stringify({ events: [{ id: `evt-${i}`, type: 'record.updated', record: { id: `r-${i}`, updated_at: '2026-11-26T10:00:00Z', name: `Hook ${i}`, phone: '+4930123456' } }] });
  lines.push(`${at}\t${signTemplateWebhook(secret, at, body)}\t${body}`);
}
fs.writeFileSync(file, `${lines.join('\n')}\n`);
