/**
 * Every enum value the API answers with, as the viewer reads it: the console never shows a raw
 * code (`VOLUNTARY`, `no-webhook`) in place of words. A value the console does not know yet (a
 * newer server) is shown as it came rather than hidden.
 */
import { language } from './i18n.js';

type Labels = Readonly<Record<string, readonly [zh: string, en: string]>>;

const ENUMS = {
  recallMode: {
    VOLUNTARY: ['主动召回', 'Voluntary'],
    ORDERED: ['责令召回', 'Ordered'],
  },
  recallStatus: { open: ['进行中', 'Open'], closed: ['已结束', 'Closed'] },
  delivery: {
    'no-webhook': ['未配置回调地址', 'No webhook'],
    pending: ['待投递', 'Pending'],
    retrying: ['重试中', 'Retrying'],
    delivered: ['已送达', 'Delivered'],
    failed: ['投递失败', 'Failed'],
  },
  warningStatus: {
    open: ['待处理', 'Open'],
    acknowledged: ['已确认', 'Acknowledged'],
    dismissed: ['已排除', 'Dismissed'],
    escalated: ['已升级为召回', 'Escalated to a recall'],
  },
  warningSignal: {
    'failure-rate-by-product': ['产品检验不合格率', 'Failure rate of a product'],
    'failure-rate-by-producer': ['生产方检验不合格率', 'Failure rate of a producer'],
    'failures-by-producer': ['生产方多次不合格', 'Repeated failures of a producer'],
    'defects-by-product': ['产品缺陷与投诉聚集', 'Defects and complaints on a product'],
    'failed-outputs-by-upstream-batch': [
      '共同上游批次（多个下游不合格）',
      'Common upstream batch of failed products',
    ],
  },
  warningSubject: {
    product: ['产品', 'Product'],
    party: ['参与方', 'Party'],
    batch: ['批次', 'Batch'],
  },
  gapKind: {
    'unreceived-shipment': ['发货未收货', 'Shipment never received'],
    'unmatched-receipt': ['收货无对应发货', 'Receipt without a shipment'],
    'unproduced-input': ['投入批次无生产记录', 'Input never produced'],
    'over-shipped': ['发出或使用超过持有量', 'Shipped or used more than held'],
    'over-yield': ['产出超过投入', 'Output exceeds inputs'],
  },
  defectSeverity: {
    CRITICAL: ['严重', 'Critical'],
    MAJOR: ['一般', 'Major'],
    MINOR: ['轻微', 'Minor'],
  },
  inspectionKind: {
    SELF_CHECK: ['自检', 'Self-check'],
    SUPERVISORY_SAMPLING: ['监督抽查', 'Supervisory sampling'],
    THIRD_PARTY: ['第三方检验', 'Third-party test'],
    IMPORT: ['进口检验', 'Import inspection'],
  },
  eventType: {
    BatchProduced: ['生产', 'Produced'],
    BatchShipped: ['发货', 'Shipped'],
    BatchReceived: ['收货', 'Received'],
    InspectionRecorded: ['检验', 'Inspected'],
    DefectReported: ['缺陷报告', 'Defect reported'],
    RecallInitiated: ['发起召回', 'Recall initiated'],
    RecallNoticeIssued: ['发出召回通知', 'Recall notice issued'],
    RecallAcknowledged: ['确认召回通知', 'Recall acknowledged'],
    RecallProgressReported: ['报告召回进展', 'Recall progress reported'],
    RecallClosed: ['结束召回', 'Recall closed'],
    EventRetracted: ['撤回事件', 'Event retracted'],
    EpcisEventCaptured: ['EPCIS 事件', 'EPCIS event'],
  },
} as const satisfies Record<string, Labels>;

export type EnumName = keyof typeof ENUMS;

/** `value` of the enum `name` in the viewer's language. */
export function label(name: EnumName, value: string): string {
  const labels: Labels = ENUMS[name];
  const words = labels[value];
  if (!words) return value;
  return language() === 'en' ? words[1] : words[0];
}

/** Every known value of an enum, for the choices of a filter. */
export const valuesOf = (name: EnumName): string[] => Object.keys(ENUMS[name]);
