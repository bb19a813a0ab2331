/**
 * The public trace-code page in Debian's Chromium at a phone's size, with JavaScript off (the page
 * must read without it): a clean batch, a recalled batch (the warning is the first thing on the
 * screen), an unknown code, in zh-CN and in English. Screenshots go to test/browser/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gs1CheckDigit } from '../../services/common/epcis/check-digits.js';
import { PROJECT_ROOT } from '../../services/common/project-paths.js';
import {
  inspected,
  produced,
  received,
  recallInitiated,
  shipped,
} from '../support/event-builders.js';
import { startTestPlatform, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';
import { ensureConsoleBuilt, launchChromium } from './console-platform.js';

const SCREENSHOTS = join(PROJECT_ROOT, 'test', 'browser', 'screenshots');
const PHONE = { width: 390, height: 844 };
const GTIN = `0690123456789${gs1CheckDigit('0690123456789')}`;
const keys: Record<string, string> = {};

let platform: TestPlatform;
let browser: Browser;

async function party(partyId: string, name: string, region: string | null, roles = ['submitter']) {
  const created = await platform.request<{ apiKey: string }>('POST', '/v1/parties', {
    key: TEST_ADMIN_KEY,
    body: { partyId, name, roles },
  });
  expect(created.status).toBe(201);
  keys[partyId] = created.body.apiKey;
  if (region === null) return;
  const profile = await platform.request('PUT', `/v1/parties/${partyId}/public-profile`, {
    key: TEST_ADMIN_KEY,
    body: { showName: true, region },
  });
  expect(profile.status).toBe(200);
}

async function post(partyId: string, events: readonly unknown[]) {
  const answer = await platform.postEvents(keys[partyId] ?? '', events);
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
}

/** A phone's browser with JavaScript off, in a language. */
async function phone(locale: 'zh-CN' | 'en-US'): Promise<Page> {
  const context = await browser.newContext({
    viewport: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale,
    javaScriptEnabled: false,
  });
  return context.newPage();
}

// Skipped where Chromium or a Chinese font is missing (test/support/parts.ts).
describe('the public trace-code page on a phone', { tags: ['chromium', 'zh-font'] }, () => {
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // Two client networks make a code suspicious here, so that the console has one to show.
    platform = await startTestPlatform({
      SUYUAN_SUSPICIOUS_NETWORKS: '2',
      SUYUAN_TRUST_PROXY: 'loopback',
    });
    await party('farm-1', '绿源牧场 Lüyuan Farm', '内蒙古锡林郭勒 Xilingol, Inner Mongolia');
    await party('plant-1', '北疆乳业 Beijiang Dairy', '内蒙古呼和浩特 Hohhot, Inner Mongolia');
    await party('lab-1', '华测检测 CTI', '深圳 Shenzhen');
    await party('samr', '国家市场监督管理总局 SAMR', null, ['regulator']);
    await post('farm-1', [
      produced('RAW-20261120', [], { product: { id: 'RAW-MILK', name: '生鲜乳 raw milk' } }),
      shipped('TK-1', 'plant-1', ['RAW-20261120']),
      produced('RAW-20261121', [], { product: { id: 'RAW-MILK', name: '生鲜乳 raw milk' } }),
      shipped('TK-2', 'plant-1', ['RAW-20261121']),
    ]);
    await post('plant-1', [
      received('TK-1', 'farm-1', ['RAW-20261120']),
      received('TK-2', 'farm-1', ['RAW-20261121']),
      produced('WMP-20261121', ['RAW-20261120'], {
        product: { id: GTIN, name: '全脂乳粉 whole milk powder 900 g' },
      }),
      produced('WMP-20261122', ['RAW-20261121'], {
        product: { id: GTIN, name: '全脂乳粉 whole milk powder 900 g' },
      }),
    ]);
    await post('lab-1', [inspected('WMP-20261121', 'PASS'), inspected('WMP-20261122', 'FAIL')]);
    await post('samr', [
      {
        ...recallInitiated('RC-2026-001', ['WMP-20261122'], 'ORDERED', 1),
        reason: '三聚氰胺超标 melamine above the limit',
      },
    ]);
    await platform.waitForBatch(keys['plant-1'] ?? '', 'WMP-20261122');
    await pollUntil(
      async () => {
        const response = await fetch(`${platform.url}/t/WMP-20261122`, {
          headers: { accept: 'application/json' },
        });
        return ((await response.json()) as { recall: unknown }).recall ? true : undefined;
      },
      { what: 'the recall on the public page', timeoutMs: 30_000, intervalMs: 50 },
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('shows a clean batch: product, producer, origin, inspections and the checks, in Chinese', async () => {
    const page = await phone('zh-CN');
    const response = await page.goto(`${platform.url}/01/${GTIN}/10/WMP-20261121`);
    expect(response?.status()).toBe(200);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('zh-CN');
    await expect(page.locator('#batch').innerText()).resolves.toMatch(
      /全脂乳粉[\s\S]*北疆乳业[\s\S]*本批次目前没有召回/,
    );
    await expect(page.locator('#origin').innerText()).resolves.toContain('绿源牧场');
    await expect(page.locator('#inspections').innerText()).resolves.toContain('合格');
    await expect(page.locator('#checks').innerText()).resolves.toContain('首次查询');
    expect(await page.locator('#recall').count()).toBe(0);
    // Built for the phone: nothing wider than the screen.
    const width = await page.evaluate('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: join(SCREENSHOTS, 'public-clean.png'), fullPage: true });
  });

  it('shows the same batch in English, and a second check says how many checks there were', async () => {
    const page = await phone('en-US');
    await page.goto(`${platform.url}/t/WMP-20261121`);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    await expect(page.locator('#batch').innerText()).resolves.toContain(
      'This batch is not under recall.',
    );
    await expect(page.locator('#checks').innerText()).resolves.toMatch(/checked 2 times/);
    await page.screenshot({ path: join(SCREENSHOTS, 'public-clean-en.png'), fullPage: true });
  });

  for (const [locale, warning, file] of [
    ['zh-CN', '召回警示', 'public-recall.png'],
    ['en-US', 'Recall warning', 'public-recall-en.png'],
  ] as const) {
    it(`puts the recall first on the screen (${locale})`, async () => {
      const page = await phone(locale);
      await page.goto(`${platform.url}/t/WMP-20261122`);
      const recall = page.locator('#recall');
      await expect(recall.innerText()).resolves.toContain(warning);
      const [recallBox, titleBox] = await Promise.all([
        recall.boundingBox(),
        page.locator('h1').boundingBox(),
      ]);
      // The first thing on the page, at the top of the screen, above the title.
      expect(recallBox?.y).toBeLessThan(40);
      expect(recallBox?.y ?? Infinity).toBeLessThan(titleBox?.y ?? 0);
      expect((recallBox?.y ?? 0) + (recallBox?.height ?? 0)).toBeLessThan(PHONE.height);
      await expect(recall.getAttribute('role')).resolves.toBe('alert');
      await page.screenshot({ path: join(SCREENSHOTS, file), fullPage: true });
    });
  }

  for (const [locale, title, file] of [
    ['zh-CN', '查无此码', 'public-unknown.png'],
    ['en-US', 'Code not found', 'public-unknown-en.png'],
  ] as const) {
    it(`says an unknown code is not found (${locale})`, async () => {
      const page = await phone(locale);
      const response = await page.goto(`${platform.url}/t/FAKE-0001`);
      expect(response?.status()).toBe(404);
      await expect(page.locator('#unknown').innerText()).resolves.toContain(title);
      await page.screenshot({ path: join(SCREENSHOTS, file), fullPage: true });
    });
  }

  it("lists a code checked from many networks in the regulators' console, in both languages", async () => {
    for (const client of ['198.51.100.20', '203.0.113.20']) {
      const response = await fetch(`${platform.url}/t/WMP-20261121`, {
        headers: { accept: 'application/json', 'x-forwarded-for': client },
      });
      expect(response.status).toBe(200);
    }
    ensureConsoleBuilt();
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, locale: 'zh-CN' });
    await page.goto(`${platform.url}/console/`);
    await page.fill('input[name=apiKey]', keys.samr ?? '');
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('[data-view=suspicious]').click();
    const row = page.locator('tr[data-code="WMP-20261121"]');
    await row.waitFor();
    await expect(row.innerText()).resolves.toContain('来自过多网络');
    await page.screenshot({ path: join(SCREENSHOTS, 'suspicious.png') });
    await page.locator('[data-action=language]').click();
    await page.locator('[data-view=suspicious]').click();
    await expect(page.locator('tr[data-code="WMP-20261121"]').innerText()).resolves.toContain(
      'from too many networks',
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'suspicious-en.png') });
  });
});
