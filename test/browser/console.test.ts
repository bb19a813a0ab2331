/**
 * The web console in Debian's Chromium against a real platform: sign in, open the demo's trace,
 * read a batch's details, open a recall and its progress, switch to English. Screenshots go to
 * test/browser/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../services/common/project-paths.js';
import type { DairyChain } from '../../tools/demo/dairy-chain.js';
import { pollUntil } from '../support/poll.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  startConsolePlatform,
  unitsOf,
  type ConsolePlatform,
} from './console-platform.js';
import { loadDairyChain } from '../support/demo-chain.js';

const SCREENSHOTS = join(PROJECT_ROOT, 'test', 'browser', 'screenshots');

/** Clicks a node of the drawn graph where Cytoscape rendered it. */
async function clickNode(page: Page, nodeId: string): Promise<void> {
  // Cytoscape keeps its instance on the container (`_cyreg`); the script runs in the page.
  const point = await page.evaluate<{ x: number; y: number }>(`(() => {
    const container = document.querySelector('#graph');
    const box = container.getBoundingClientRect();
    const position = container._cyreg.cy.getElementById(${JSON.stringify(nodeId)}).renderedPosition();
    return { x: box.left + position.x, y: box.top + position.y };
  })()`);
  await page.mouse.click(point.x, point.y);
}

// Skipped where Chromium or a Chinese font is missing (test/support/parts.ts).
describe('the web console', { tags: ['chromium', 'zh-font'] }, () => {
  let platform: ConsolePlatform;
  let browser: Browser;
  let page: Page;
  let chain: DairyChain;
  let regulatorKey: string;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    ensureConsoleBuilt();
    platform = await startConsolePlatform();
    const loaded = await loadDairyChain(platform.api);
    chain = loaded.chain;
    regulatorKey = loaded.keys.get(chain.regulatorPartyId) ?? '';
    const defect = await platform.api.postEvents(regulatorKey, [
      {
        eventId: randomUUID(),
        eventType: 'DefectReported',
        eventTime: new Date().toISOString(),
        defectId: 'DEF-CONSOLE-1',
        batchIds: [chain.interesting.rawMilkBatchId],
        source: 'COMPLAINT',
        severity: 'CRITICAL',
        hazard: 'melamine suspected',
      },
    ]);
    expect(defect.status).toBe(202);
    await pollUntil(
      async () => {
        const recall = await platform.api.request<{ progress: { notices: number } }>(
          'GET',
          '/v1/recalls/RC-DEF-CONSOLE-1',
          { key: regulatorKey },
        );
        return recall.status === 200 && recall.body.progress.notices > 0;
      },
      { what: 'the defect recall and its notices', timeoutMs: 60_000, intervalMs: 100 },
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN' });
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('signs in with an API key and draws the demo trace', async () => {
    await page.goto(`${platform.url}/console/`);
    await page.getByRole('button', { name: '登录' }).waitFor();
    await page.fill('input[name=apiKey]', regulatorKey);
    await page.getByRole('button', { name: '登录' }).click();
    await page.fill('input[name=q]', chain.interesting.powderBatchId);
    await page.getByRole('button', { name: '查询' }).click();
    await page.waitForSelector('#graph[data-rendered]');
    const rendered = Number(await page.getAttribute('#graph', 'data-rendered'));
    expect(rendered).toBeGreaterThan(5);
    await expect(page.locator('.legend').textContent()).resolves.toContain('已召回');
    await page.screenshot({ path: join(SCREENSHOTS, 'trace.png') });
  });

  it('shows a clicked batch with its timeline, inspections and operators', async () => {
    const powder = chain.interesting.powderBatchId;
    const production = chain.timeline.find(
      ({ event }) => event.eventType === 'BatchProduced' && event.batchId === powder,
    );
    await clickNode(page, powder);
    const panel = page.locator('#batch-panel');
    await panel.getByRole('heading', { name: '时间线' }).waitFor();
    const text = (await panel.textContent()) ?? '';
    // The event type in the viewer's language, never the raw enum.
    expect(text).toContain('生产');
    expect(text).not.toContain('BatchProduced');
    expect(text).toContain(production?.event.operator ?? 'no operator in the demo');
    expect(text).toContain('责任可究');
    await page.screenshot({ path: join(SCREENSHOTS, 'batch.png') });
  });

  it('opens a recall with its progress bars and notices', async () => {
    await page.getByRole('button', { name: '召回' }).click();
    await page.getByRole('button', { name: 'RC-DEF-CONSOLE-1' }).click();
    const detail = page.locator('.recall-detail');
    await detail.locator('table').waitFor();
    // Notified, acknowledged, then one recovered bar per unit of the recall's batches.
    const units = await unitsOf(detail.locator('.bar-recovered'));
    expect(units.length).toBeGreaterThan(0);
    expect(new Set(units).size).toBe(units.length);
    const values = await detail.locator('.bar-recovered .bar-value').allTextContents();
    units.forEach((unit, index) =>
      expect(values[index]).toMatch(new RegExp(`^[\\d.]+ / [\\d.]+ ${unit}$`)),
    );
    expect(await detail.locator('.bar-notified .bar-value').textContent()).toMatch(/^[1-9]\d* \/ /);
    expect(await detail.locator('tbody tr').count()).toBeGreaterThan(0);
    await page.fill('input[name=batchId]', chain.interesting.powderBatchId);
    await page.getByRole('button', { name: '计算范围' }).click();
    await expect(page.locator('.mock-result p').textContent()).resolves.toMatch(/毫秒/);
    await page.screenshot({ path: join(SCREENSHOTS, 'recall.png'), fullPage: true });
  });

  it('switches to English', async () => {
    await page.locator('[data-action=language]').click();
    await page.getByRole('button', { name: 'Recalls' }).waitFor();
    expect(await page.locator('h1').textContent()).toBe('Suyuan · regulator console');
    await page.getByRole('button', { name: 'RC-DEF-CONSOLE-1' }).click();
    await page.locator('.recall-detail .bar-notified').waitFor();
    const labels = await page.locator('.recall-detail .bar-label').allTextContents();
    expect(labels.slice(0, 2)).toEqual(['Notified', 'Acknowledged']);
    for (const label of labels.slice(2)) expect(label).toMatch(/^Recovered \(.+\)$/);
    await page.screenshot({ path: join(SCREENSHOTS, 'recall-en.png'), fullPage: true });
    await page.getByRole('button', { name: 'Trace' }).click();
    await page.waitForSelector('#graph[data-rendered]');
    expect(await page.locator('.legend').textContent()).toContain('Recalled');
    await page.screenshot({ path: join(SCREENSHOTS, 'trace-en.png') });
  });
});
