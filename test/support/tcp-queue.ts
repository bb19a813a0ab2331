/**
 * Bytes that arrived on connections to a local port and that no process has read yet, from the
 * kernel's socket table (Linux /proc/net/tcp). A test that stopped a server with SIGSTOP polls it
 * to know that a request has reached the server before it kills the server.
 */
import { readFile } from 'node:fs/promises';

const ESTABLISHED = '01';

export async function unreadBytesAt(port: number): Promise<number> {
  let total = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue …
      const [, local, , state, queues] = line.trim().split(/\s+/);
      if (!local || state !== ESTABLISHED || !queues) continue;
      if (Number.parseInt(local.split(':').at(-1) ?? '', 16) !== port) continue;
      total += Number.parseInt(queues.split(':')[1] ?? '0', 16);
    }
  }
  return total;
}
