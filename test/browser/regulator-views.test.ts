/**
 * The regulator's analytic views in Debian's Chromium against a real platform loaded with the
 * demo chain: a known 一级 warning (three products of one farm's milk failing) shown with its
 * level and evidence, and one click landing on the trace of that milk; the demo's one gap (a
 * shipment still in transit), the one the three products leave (the plant used 3 kg more of the
 * milk than the 26 400 kg it received) and a click to a batch's trace; the recall view's effectiveness
 * chart with one recovered bar per unit; no raw enum value on a zh-CN page. Screenshots go to
 * test/browser/screenshots/.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GapList } from '../../services/common/api/gaps.js';
import type { NoticeView, RecallView } from '../../services/common/api/recalls.js';
import type { WarningView } from '../../services/common/api/warnings.js';
import { PROJECT_ROOT } from '../../services/common/project-paths.js';
import type { DairyChain } from '../../tools/demo/dairy-chain.js';
import { loadDairyChain } from '../support/demo-chain.js';
import { pollUntil } from '../support/poll.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  startConsolePlatform,
  unitsOf,
  type ConsolePlatform,
} from './console-platform.js';

const SCREENSHOTS = join(PROJECT_ROOT, 'test', 'browser', 'screenshots');
const RECALL = 'RC-DEF-VIEWS-1';
const PLANT = 'plant-qiqihar';

/**
 * Every enum value the API answers with: none may show on a zh-CN page. Matched as whole words,
 * so a party id such as `dist-huabei` or a batch id never counts.
 */
const RAW_ENUMS = [
  'VOLUNTARY',
  'ORDERED',
  'open',
  'closed',
  'no-webhook',
  'pending',
  'retrying',
  'delivered',
  'failed',
  'acknowledged',
  'dismissed',
  'escalated',
  'CRITICAL',
  'MAJOR',
  'MINOR',
  'SELF_CHECK',
  'SUPERVISORY_SAMPLING',
  'THIRD_PARTY',
  'IMPORT',
  'PASS',
  'FAIL',
  'BatchProduced',
  'BatchShipped',
  'BatchReceived',
  'InspectionRecorded',
  'unreceived-shipment',
  'unmatched-receipt',
  'unproduced-input',
  'over-shipped',
  'over-yield',
  'failure-rate-by-product',
  'failure-rate-by-producer',
  'failures-by-producer',
  'defects-by-product',
  'failed-outputs-by-upstream-batch',
];
const RAW_ENUM = new RegExp(`(?<![\\w-])(${RAW_ENUMS.join('|')})(?![\\w-])`);

/** The visible text of the page's main area, and the first raw enum value in it, if any. */
async function rawEnumOn(page: Page): Promise<string | undefined> {
  const text = await page.locator('main').innerText();
  return RAW_ENUM.exec(text)?.[0];
}

// Skipped where Chromium or a Chinese font is missing (test/support/parts.ts).
describe('the regulator views of the console', { tags: ['chromium', 'zh-font'] }, () => {
  let platform: ConsolePlatform;
  let browser: Browser;
  let page: Page;
  let chain: DairyChain;
  let keys: Map<string, string>;
  let regulatorKey: string;
  let warning: WarningView;
  let inTransit: GapList['gaps'][number];
  const failedProducts = ['VIEWS-P1', 'VIEWS-P2', 'VIEWS-P3'];

  const api = <T>(method: string, path: string, key = regulatorKey, body?: unknown) =>
    platform.api.request<T>(method, path, { key, body });

  async function post(key: string, events: unknown[]): Promise<void> {
    const response = await platform.api.postEvents(key, events);
    expect(response.status, JSON.stringify(response.body)).toBe(202);
  }

  /** The plant makes three products of the farm's milk; supervisory sampling fails each today. */
  async function threeFailuresOfOneMilk(): Promise<void> {
    const milk = chain.interesting.rawMilkBatchId;
    const now = Date.now();
    await post(
      keys.get(PLANT) ?? '',
      failedProducts.map((batchId, index) => ({
        eventId: randomUUID(),
        eventType: 'BatchProduced',
        eventTime: new Date(now - (index + 3) * 3_600_000).toISOString(),
        batchId,
        product: { id: `GTIN-${batchId}`, name: `试制乳粉 ${batchId}` },
        quantity: 1,
        unit: 'kg',
        inputs: [{ batchId: milk, quantity: 1, unit: 'kg' }],
      })),
    );
    await post(
      regulatorKey,
      failedProducts.map((batchId, index) => ({
        eventId: randomUUID(),
        eventType: 'InspectionRecorded',
        eventTime: new Date(now - (index + 1) * 3_600_000).toISOString(),
        batchId,
        kind: 'SUPERVISORY_SAMPLING',
        result: 'FAIL',
        findings: [{ item: '三聚氰胺 melamine', value: '4.1', limit: '1', unit: 'mg/kg' }],
        standard: 'GB 2761-2017',
      })),
    );
    const raised = await pollUntil(
      async () => {
        const answer = await api<WarningView[]>('GET', '/v1/warnings?level=1');
        return answer.body.find((candidate) => candidate.suspectedBatchId === milk);
      },
      { what: "the warning on the farm's milk", timeoutMs: 60_000, intervalMs: 200 },
    );
    warning = raised;
  }

  /** A recall of the farm's milk, with a recipient of kilograms and one of cans reporting. */
  async function recallWithProgress(): Promise<void> {
    await post(regulatorKey, [
      {
        eventId: randomUUID(),
        eventType: 'DefectReported',
        eventTime: new Date().toISOString(),
        defectId: 'DEF-VIEWS-1',
        batchIds: [chain.interesting.rawMilkBatchId],
        source: 'COMPLAINT',
        severity: 'CRITICAL',
        hazard: 'melamine suspected',
      },
    ]);
    const notices = await pollUntil(
      async () => {
        const answer = await api<NoticeView[]>('GET', `/v1/recalls/${RECALL}/notices`);
        return answer.status === 200 && answer.body.length > 0 ? answer.body : undefined;
      },
      { what: 'the recall and its notices', timeoutMs: 60_000, intervalMs: 100 },
    );
    for (const unit of ['kg', 'can']) {
      const notice = notices.find((n) => n.batches.some((line) => line.unit === unit));
      if (!notice) throw new Error(`no notice of a batch in ${unit}`);
      await post(keys.get(notice.recipient) ?? '', [
        {
          eventId: randomUUID(),
          eventType: 'RecallProgressReported',
          eventTime: new Date().toISOString(),
          noticeId: notice.noticeId,
          recovered: unit === 'kg' ? 120 : 36,
          destroyed: 0,
          unit,
        },
      ]);
    }
    await pollUntil(
      async () => {
        const recall = await api<RecallView>('GET', `/v1/recalls/${RECALL}`);
        return recall.body.progress.byUnit.filter((unit) => unit.recovered > 0).length === 2;
      },
      { what: 'both progress reports', timeoutMs: 30_000, intervalMs: 100 },
    );
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    ensureConsoleBuilt();
    platform = await startConsolePlatform();
    ({ chain, keys } = await loadDairyChain(platform.api));
    regulatorKey = keys.get(chain.regulatorPartyId) ?? '';
    await threeFailuresOfOneMilk();
    await recallWithProgress();
    const gaps = await api<GapList>('GET', '/v1/gaps?kind=unreceived-shipment');
    const gap = gaps.body.gaps[0];
    if (!gap) throw new Error('the demo chain has no shipment in transit');
    inTransit = gap;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN' });
    await page.goto(`${platform.url}/console/`);
    await page.fill('input[name=apiKey]', regulatorKey);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('button', { name: '风险预警' }).waitFor();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('shows the known warning with its level and evidence, and its failure-rate chart', async () => {
    await page.getByRole('button', { name: '风险预警' }).click();
    const row = page.locator(`tr[data-warning="${warning.warningId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-level')).toBe('1');
    const text = await row.innerText();
    expect(text).toContain('1 级');
    expect(text).toContain('共同上游批次');
    // Below the milk: our three failed products, the demo's failed sampling of formula AX1, and
    // the complaint that opened the recall: five failed batches, four inspections, one report.
    expect(text).toContain('5 次（阈值 3）');
    expect(text).toContain('不合格检验 4 项');
    expect(text).toContain('缺陷或投诉报告 1 份');
    for (const batchId of [...failedProducts, chain.interesting.failingFormulaBatchId]) {
      expect(text).toContain(batchId);
    }
    expect(text).toContain('待处理');
    const series = await page.locator('.chart-failure-rate').getAttribute('data-series');
    expect(JSON.parse(series ?? '[]')).toEqual(['不合格率', '检验次数']);
    expect(await rawEnumOn(page)).toBeUndefined();
    await page.screenshot({ path: join(SCREENSHOTS, 'warnings.png'), fullPage: true });
  });

  it("acknowledges the warning, and one click opens the trace of the farm's milk", async () => {
    const row = page.locator(`tr[data-warning="${warning.warningId}"]`);
    await row.locator('[data-status=acknowledged]').click();
    await pollUntil(async () => (await row.innerText()).includes('已确认'), {
      what: 'the acknowledged state shown',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    await row.locator('[data-action=trace]').click();
    await page.waitForSelector('#graph[data-rendered]');
    expect(await page.getAttribute('#graph', 'data-root')).toBe(chain.interesting.rawMilkBatchId);
    expect(await page.inputValue('input[name=q]')).toBe(chain.interesting.rawMilkBatchId);
    await page.screenshot({ path: join(SCREENSHOTS, 'warning-trace.png') });
  });

  it('lists the gaps by kind with their events, and opens the trace of a batch', async () => {
    await page.getByRole('button', { name: '断链' }).click();
    const row = page.locator(`tr[data-gap="${inTransit.gapId}"]`);
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('发货未收货');
    expect(text).toContain(inTransit.shipmentId ?? 'a shipment id');
    for (const eventId of inTransit.eventIds) expect(text).toContain(eventId);
    const overShipped = page.locator('tr[data-kind=over-shipped]');
    expect(await overShipped.count()).toBe(1);
    expect(await overShipped.innerText()).toContain('26400 / 26403 kg');
    expect(await page.locator('tr[data-kind=over-yield]').count()).toBe(0);
    expect(await rawEnumOn(page)).toBeUndefined();
    await page.screenshot({ path: join(SCREENSHOTS, 'gaps.png'), fullPage: true });
    const batchId = inTransit.batchIds[0] ?? '';
    await row.locator(`[data-batch="${batchId}"]`).click();
    await page.waitForSelector(`#graph[data-root="${batchId}"]`);
  });

  it('draws recall effectiveness against the deadlines, with one recovered bar per unit', async () => {
    await page.getByRole('button', { name: '召回', exact: true }).click();
    expect(await rawEnumOn(page)).toBeUndefined();
    await page.getByRole('button', { name: RECALL }).click();
    const detail = page.locator('.recall-detail');
    await detail.locator('.chart-effectiveness').waitFor();
    const recovered = detail.locator('.bar-recovered');
    expect(await unitsOf(recovered)).toEqual(['can', 'kg']);
    const values = await recovered.locator('.bar-value').allTextContents();
    expect(values[0]).toMatch(/^36 \/ \d+ can$/);
    expect(values[1]).toMatch(/^120 \/ \d+ kg$/);
    const series = await detail.locator('.chart-effectiveness').getAttribute('data-series');
    expect(JSON.parse(series ?? '[]')).toEqual([
      '已通知',
      '已确认',
      '已回收（can）',
      '已回收（kg）',
      '启动期限',
      '完成期限',
    ]);
    await detail.locator('table').waitFor();
    expect(await rawEnumOn(page)).toBeUndefined();
    expect(await detail.locator('.recall-reason').innerText()).toBe(
      '严重缺陷 DEF-VIEWS-1：melamine suspected',
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'recall-effectiveness.png'), fullPage: true });

    // The series behind the chart downloads as a spreadsheet, a line per point and unit.
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      detail.locator('[data-action=effectiveness-report]').click(),
    ]);
    expect(file.suggestedFilename()).toBe(`${RECALL}-effectiveness.csv`);
    const csv = readFileSync((await file.path()) ?? '', 'utf8').replace(/^\uFEFF/, '');
    const [header, ...lines] = csv.trimEnd().split('\r\n');
    expect(header).toBe(
      'recall_id,at,notified,acknowledged,unit,recovered,recall_deadline,recall_complete_by',
    );
    const last = lines.slice(-2).map((line) => line.split(',').slice(4, 6));
    expect(last).toEqual([
      ['can', '36'],
      ['kg', '120'],
    ]);
  });

  it('speaks English after the switch, the chart included', async () => {
    await page.locator('[data-action=language]').click();
    await page.getByRole('button', { name: RECALL }).click();
    const chart = page.locator('.recall-detail .chart-effectiveness');
    await chart.waitFor();
    expect(JSON.parse((await chart.getAttribute('data-series')) ?? '[]')).toContain(
      'Recovered (kg)',
    );
    await page.getByRole('button', { name: 'Warnings' }).click();
    await page.locator(`tr[data-warning="${warning.warningId}"]`).waitFor();
    expect(await page.locator('main').innerText()).toContain('Common upstream batch');
    await page.screenshot({ path: join(SCREENSHOTS, 'warnings-en.png'), fullPage: true });
  });
});
