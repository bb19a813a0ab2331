/**
 * Pure: recall effectiveness over time (召回效果) for the summary report — how many notices were
 * issued and acknowledged, and how much was recovered in each unit, at every moment one of them
 * changed. Quantities are kept per unit: kilograms and cans are never added.
 */
import type { EffectivenessPoint, NoticeView } from '../common/api/recalls.js';
import { byText } from './recall-views.js';

type Change =
  | { readonly at: string; readonly kind: 'notified' }
  | { readonly at: string; readonly kind: 'acknowledged' }
  | {
      readonly at: string;
      readonly kind: 'recovered';
      readonly unit: string;
      readonly quantity: number;
    };

function changesOf(notices: readonly NoticeView[]): Change[] {
  return notices.flatMap((notice): Change[] => [
    { at: notice.issuedAt, kind: 'notified' as const },
    ...(notice.acknowledgedAt
      ? [{ at: notice.acknowledgedAt, kind: 'acknowledged' as const }]
      : []),
    ...notice.progressReports.map((report) => ({
      at: report.at,
      kind: 'recovered' as const,
      unit: report.unit ?? '',
      quantity: report.recovered,
    })),
  ]);
}

/** One point per distinct time, oldest first, each with the totals up to and including it. */
export function recallEffectiveness(notices: readonly NoticeView[]): EffectivenessPoint[] {
  const changes = changesOf(notices).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const points: EffectivenessPoint[] = [];
  let notified = 0;
  let acknowledged = 0;
  const recovered = new Map<string, number>();
  changes.forEach((change, index) => {
    if (change.kind === 'notified') notified += 1;
    else if (change.kind === 'acknowledged') acknowledged += 1;
    else recovered.set(change.unit, (recovered.get(change.unit) ?? 0) + change.quantity);
    const next = changes[index + 1];
    if (next && Date.parse(next.at) === Date.parse(change.at)) return;
    points.push({
      at: new Date(change.at).toISOString(),
      notified,
      acknowledged,
      recovered: [...recovered.entries()]
        .sort(([a], [b]) => byText(a, b))
        .map(([unit, quantity]) => ({ unit, quantity: Math.round(quantity * 1e6) / 1e6 })),
    });
  });
  return points;
}
