// Generated from schemas/ by schemas/tools/generate-types.ts. Do not edit; run `npm run schemas:types`.

/** A batch exists; inputs make it a transformation (加工). */
export interface BatchProduced {
  /** Client-chosen UUID; the idempotency key. */
  readonly eventId: string;
  /** When the event happened. */
  readonly eventTime: string;
  /** When ingest accepted the event. */
  readonly recordedAt: string;
  /** The acting party, taken from its credentials. */
  readonly party: string;
  /** Where it happened. */
  readonly location: null | {
    /** GS1 Global Location Number. */
    readonly gln: null | string;
    /** The party's own site code. */
    readonly siteId: null | string;
    readonly name: null | string;
    /** The administrative division (行政区划) of the site, its six-digit GB/T 2260 code, e.g. 330106; failure rates by region are counted from the production site's. */
    readonly region: null | string;
  };
  /** The responsible person (责任人). */
  readonly operator: null | string;
  readonly batchId: string;
  readonly product: {
    /** GTIN, SKU or national product code. */
    readonly id: string;
    readonly name: string;
  };
  readonly quantity: number;
  readonly unit: string;
  readonly inputs: Array<{
    readonly batchId: string;
    readonly quantity: number;
    readonly unit: null | string;
  }>;
  /** The EPCIS event this one was derived from (the eventID of its EpcisEventCaptured record), when it came in through EPCIS capture; null for a native post. */
  readonly epcisEventId: null | string;
}

/** Custody of batches leaves the actor (发货). */
export interface BatchShipped {
  /** Client-chosen UUID; the idempotency key. */
  readonly eventId: string;
  /** When the event happened. */
  readonly eventTime: string;
  /** When ingest accepted the event. */
  readonly recordedAt: string;
  /** The acting party, taken from its credentials. */
  readonly party: string;
  /** Where it happened. */
  readonly location: null | {
    /** GS1 Global Location Number. */
    readonly gln: null | string;
    /** The party's own site code. */
    readonly siteId: null | string;
    readonly name: null | string;
  };
  /** The responsible person (责任人). */
  readonly operator: null | string;
  readonly shipmentId: string;
  /** The receiving party. */
  readonly to: string;
  readonly lines: Array<{
    readonly batchId: string;
    readonly quantity: number;
    readonly unit: string;
  }>;
  /** The EPCIS event this one was derived from (the eventID of its EpcisEventCaptured record), when it came in through EPCIS capture; null for a native post. */
  readonly epcisEventId: null | string;
  /** The reference documents of the shipment or receipt (bill of lading, invoice, purchase order, despatch advice...), in the sender's order; FSMA 204 requires one on shipping and receiving. */
  readonly referenceDocuments: Array<{
    readonly type:
      | 'BILL_OF_LADING'
      | 'PURCHASE_ORDER'
      | 'PURCHASE_ORDER_CONFIRMATION'
      | 'INVOICE'
      | 'DESPATCH_ADVICE'
      | 'RECEIVING_ADVICE'
      | 'RETURN_AUTHORIZATION'
      | 'PRODUCTION_ORDER'
      | 'CERTIFICATE'
      | 'PEDIGREE'
      | 'TEST_PROCEDURE'
      | 'TEST_RESULT'
      | 'UPSTREAM_EPCIS_EVENT'
      | 'OTHER';
    /** The document's number as its issuer wrote it (a URI when it came from EPCIS). */
    readonly number: string;
  }>;
}

/** Custody of batches arrives (收货). */
export interface BatchReceived {
  /** Client-chosen UUID; the idempotency key. */
  readonly eventId: string;
  /** When the event happened. */
  readonly eventTime: string;
  /** When ingest accepted the event. */
  readonly recordedAt: string;
  /** The acting party, taken from its credentials. */
  readonly party: string;
  /** Where it happened. */
  readonly location: null | {
    /** GS1 Global Location Number. */
    readonly gln: null | string;
    /** The party's own site code. */
    readonly siteId: null | string;
    readonly name: null | string;
  };
  /** The responsible person (责任人). */
  readonly operator: null | string;
  readonly shipmentId: string;
  /** The shipping party. */
  readonly from: string;
  readonly lines: Array<{
    readonly batchId: string;
    readonly quantity: number;
    readonly unit: string;
  }>;
  /** The EPCIS event this one was derived from (the eventID of its EpcisEventCaptured record), when it came in through EPCIS capture; null for a native post. */
  readonly epcisEventId: null | string;
  /** The reference documents of the shipment or receipt (bill of lading, invoice, purchase order, despatch advice...), in the sender's order; FSMA 204 requires one on shipping and receiving. */
  readonly referenceDocuments: Array<{
    readonly type:
      | 'BILL_OF_LADING'
      | 'PURCHASE_ORDER'
      | 'PURCHASE_ORDER_CONFIRMATION'
      | 'INVOICE'
      | 'DESPATCH_ADVICE'
      | 'RECEIVING_ADVICE'
      | 'RETURN_AUTHORIZATION'
      | 'PRODUCTION_ORDER'
      | 'CERTIFICATE'
      | 'PEDIGREE'
      | 'TEST_PROCEDURE'
      | 'TEST_RESULT'
      | 'UPSTREAM_EPCIS_EVENT'
      | 'OTHER';
    /** The document's number as its issuer wrote it (a URI when it came from EPCIS). */
    readonly number: string;
  }>;
}

/** A test of a batch. */
export interface InspectionRecorded {
  /** Client-chosen UUID; the idempotency key. */
  readonly eventId: string;
  /** When the event happened. */
  readonly eventTime: string;
  /** When ingest accepted the event. */
  readonly recordedAt: string;
  /** The acting party, taken from its credentials. */
  readonly party: string;
  /** Where it happened. */
  readonly location: null | {
    /** GS1 Global Location Number. */
    readonly gln: null | string;
    /** The party's own site code. */
    readonly siteId: null | string;
    readonly name: null | string;
  };
  /** The responsible person (责任人). */
  readonly operator: null | string;
  /** Defaults to the event id. */
  readonly inspectionId: null | string;
  readonly batchId: string;
  readonly kind: 'SELF_CHECK' | 'SUPERVISORY_SAMPLING' | 'THIRD_PARTY' | 'IMPORT';
  readonly result: 'PASS' | 'FAIL';
  readonly findings: Array<{
    readonly item: string;
    /** As the lab reports it: a measurement as a number, or text such as 未检出 (not detected) or <0.01. */
    readonly value: string | number;
    readonly limit: null | string;
    readonly unit: null | string;
  }>;
  /** The standard tested against, e.g. GB 19644-2024. */
  readonly standard: null | string;
  /** Report number or URL. */
  readonly report: null | string;
  /** The hazard the test is for (危害因素), in the lab's words or a code, e.g. 黄曲霉毒素M1, Listeria monocytogenes, lead: a failure found it, a pass ruled it out. Failure rates by hazard are counted from it. */
  readonly hazard: null | string;
  /** The EPCIS event this one was derived from (the eventID of its EpcisEventCaptured record), when it came in through EPCIS capture; null for a native post. */
  readonly epcisEventId: null | string;
}

/** A defect or incident report (强制报告), or a consumer complaint (投诉举报) with what a 12315-style complaint carries for a regulator to cluster and assess it. */
export interface DefectReported {
  /** Client-chosen UUID; the idempotency key. */
  readonly eventId: string;
  /** When the event happened. */
  readonly eventTime: string;
  /** When ingest accepted the event. */
  readonly recordedAt: string;
  /** The acting party, taken from its credentials. */
  readonly party: string;
  /** Where it happened. */
  readonly location: null | {
    /** GS1 Global Location Number. */
    readonly gln: null | string;
    /** The party's own site code. */
    readonly siteId: null | string;
    readonly name: null | string;
  };
  /** The responsible person (责任人). */
  readonly operator: null | string;
  readonly defectId: string;
  readonly batchIds: Array<string>;
  /** Where the report comes from: a failed inspection, a consumer complaint (then `complaint` may say more), or an incident. */
  readonly source: 'INSPECTION' | 'COMPLAINT' | 'INCIDENT';
  readonly severity: 'CRITICAL' | 'MAJOR' | 'MINOR';
  /** The hazard or defect reported, in the reporter's words. */
  readonly hazard: string;
  readonly description: null | string;
  /** What a consumer complaint carries (source COMPLAINT only); null for other reports and for complaints recorded without it. */
  readonly complaint: null | {
    /** How the complaint came in: the 12315 hotline or platform, an online marketplace, the retailer, the producer directly, or otherwise. */
    readonly channel: 'HOTLINE_12315' | 'ONLINE_PLATFORM' | 'RETAILER' | 'DIRECT' | 'OTHER';
    /** When the complaint was received. */
    readonly receivedAt: string;
    /** The administrative division (行政区划) the consumer is in, its six-digit GB/T 2260 code, e.g. 330106; complaints are counted by it. */
    readonly region: string;
    /** Where the product was bought (a shop, a market, an online store), in the complaint's words. */
    readonly purchasePlace: null | string;
    /** How many units (packs, bottles) the complaint concerns, when stated. */
    readonly unitsAffected: null | number;
    /** The consumer reports an injury or illness (e.g. after eating it): such a complaint weighs as a candidate for 一级. */
    readonly illnessReported: boolean;
    /** The complaint's reference number at the body that received it (工单号). */
    readonly reference: null | string;
  };
}

/** A recall starts. */
export interface RecallInitiated {
  /** Client-chosen UUID; the idempotency key. */
  readonly eventId: string;
  /** When the event happened. */
  readonly eventTime: string;
  /** When ingest accepted the event. */
  readonly recordedAt: string;
  /** The acting party, taken from its credentials. */
  readonly party: string;
  /** Where it happened. */
  readonly location: null | {
    /** GS1 Global Location Number. */
    readonly gln: null | string;
    /** The party's own site code. */
    readonly siteId: null | string;
    readonly name: null | string;
  };
  /** The responsible person (责任人). */
  readonly operator: null | string;
  readonly recallId: string;
  readonly rootBatchIds: Array<string>;
  /** 1 (一级), 2 or 3. */
  readonly level: number;
  readonly mode: 'VOLUNTARY' | 'ORDERED';
  readonly reason: string;
  /** The EPCIS event this one was derived from (the eventID of its EpcisEventCaptured record), when it came in through EPCIS capture; null for a native post. */
  readonly epcisEventId: null | string;
}

/** A notice to one party holding affected goods; emitted by the recall service. */
export interface RecallNoticeIssued {
  /** Client-chosen UUID; the idempotency key. */
  readonly eventId: string;
  /** When the event happened. */
  readonly eventTime: string;
  /** When ingest accepted the event. */
  readonly recordedAt: string;
  /** The acting party, taken from its credentials. */
  readonly party: string;
  /** Where it happened. */
  readonly location: null | {
    /** GS1 Global Location Number. */
    readonly gln: null | string;
    /** The party's own site code. */
    readonly siteId: null | string;
    readonly name: null | string;
  };
  /** The responsible person (责任人). */
  readonly operator: null | string;
  readonly noticeId: string;
  readonly recallId: string;
  readonly recipient: string;
  readonly batches: Array<{
    readonly batchId: string;
    readonly quantity: number;
    readonly unit: string;
  }>;
  readonly deadline: string;
  readonly actions: Array<string>;
}

/** The recipient acknowledges a notice. */
export interface RecallAcknowledged {
  /** Client-chosen UUID; the idempotency key. */
  readonly eventId: string;
  /** When the event happened. */
  readonly eventTime: string;
  /** When ingest accepted the event. */
  readonly recordedAt: string;
  /** The acting party, taken from its credentials. */
  readonly party: string;
  /** Where it happened. */
  readonly location: null | {
    /** GS1 Global Location Number. */
    readonly gln: null | string;
    /** The party's own site code. */
    readonly siteId: null | string;
    readonly name: null | string;
  };
  /** The responsible person (责任人). */
  readonly operator: null | string;
  readonly noticeId: string;
  readonly note: null | string;
}

/** The recipient reports what it recovered or destroyed. */
export interface RecallProgressReported {
  /** Client-chosen UUID; the idempotency key. */
  readonly eventId: string;
  /** When the event happened. */
  readonly eventTime: string;
  /** When ingest accepted the event. */
  readonly recordedAt: string;
  /** The acting party, taken from its credentials. */
  readonly party: string;
  /** Where it happened. */
  readonly location: null | {
    /** GS1 Global Location Number. */
    readonly gln: null | string;
    /** The party's own site code. */
    readonly siteId: null | string;
    readonly name: null | string;
  };
  /** The responsible person (责任人). */
  readonly operator: null | string;
  readonly noticeId: string;
  readonly recovered: number;
  readonly destroyed: number;
  readonly unit: string;
  readonly note: null | string;
}

/** A regulator closes a recall. */
export interface RecallClosed {
  /** Client-chosen UUID; the idempotency key. */
  readonly eventId: string;
  /** When the event happened. */
  readonly eventTime: string;
  /** When ingest accepted the event. */
  readonly recordedAt: string;
  /** The acting party, taken from its credentials. */
  readonly party: string;
  /** Where it happened. */
  readonly location: null | {
    /** GS1 Global Location Number. */
    readonly gln: null | string;
    /** The party's own site code. */
    readonly siteId: null | string;
    readonly name: null | string;
  };
  /** The responsible person (责任人). */
  readonly operator: null | string;
  readonly recallId: string;
  readonly reason: string;
}

/** A correction (EPCIS errorDeclaration): the target leaves traces but stays in the audit trail. */
export interface EventRetracted {
  /** Client-chosen UUID; the idempotency key. */
  readonly eventId: string;
  /** When the event happened. */
  readonly eventTime: string;
  /** When ingest accepted the event. */
  readonly recordedAt: string;
  /** The acting party, taken from its credentials. */
  readonly party: string;
  /** Where it happened. */
  readonly location: null | {
    /** GS1 Global Location Number. */
    readonly gln: null | string;
    /** The party's own site code. */
    readonly siteId: null | string;
    readonly name: null | string;
  };
  /** The responsible person (责任人). */
  readonly operator: null | string;
  readonly targetEventId: string;
  readonly reason: string;
}

/** A GS1 EPCIS 2.0 event as captured, kept whole; the native events it maps to are appended with it. */
export interface EpcisEventCaptured {
  /** Derived from the EPCIS eventID (and its error declaration, if any): the same EPCIS event always gets the same id. */
  readonly eventId: string;
  /** The EPCIS eventTime. */
  readonly eventTime: string;
  /** When ingest accepted the event (the EPCIS recordTime). */
  readonly recordedAt: string;
  /** The capturing party, taken from its credentials. */
  readonly party: string;
  /** The bizLocation, else the readPoint, when it names a GLN or a site. */
  readonly location: null | {
    /** GS1 Global Location Number. */
    readonly gln: null | string;
    /** The party's own site code. */
    readonly siteId: null | string;
    readonly name: null | string;
  };
  /** The responsible person (责任人), from the suyuan:operator extension. */
  readonly operator: null | string;
  /** The EPCIS eventID as captured, or the event hash ID when the event had none. */
  readonly epcisEventId: string;
  /** The CBV 2.0 event hash ID (ni:///sha-256;…?ver=CBV2.0). */
  readonly eventHash: string;
  /** ObjectEvent, AggregationEvent, TransformationEvent, TransactionEvent or AssociationEvent. */
  readonly epcisEventType: string;
  /** The event as captured, as JSON. */
  readonly event: string;
  /** The @context of the captured document, as JSON: it names the prefixes of the event's extensions. */
  readonly context: string;
  /** The capture job that brought it; null for POST /epcis/events. */
  readonly captureId: null | string;
  /** The native events appended with it (its meaning for traces and recalls). */
  readonly derivedEventIds: Array<string>;
  /** Identifiers the event names that no trace can place (class patterns, containers of unknown content). */
  readonly unresolved: Array<{
    /** Where in the event, e.g. inputQuantityList[2].epcClass. */
    readonly path: string;
    /** The identifier, canonical where it is a GS1 key. */
    readonly id: string;
    readonly reason: string;
  }>;
}

/** Every event type, tagged by `eventType`. */
export type SuyuanEvent =
  | ({ readonly eventType: 'BatchProduced' } & BatchProduced)
  | ({ readonly eventType: 'BatchShipped' } & BatchShipped)
  | ({ readonly eventType: 'BatchReceived' } & BatchReceived)
  | ({ readonly eventType: 'InspectionRecorded' } & InspectionRecorded)
  | ({ readonly eventType: 'DefectReported' } & DefectReported)
  | ({ readonly eventType: 'RecallInitiated' } & RecallInitiated)
  | ({ readonly eventType: 'RecallNoticeIssued' } & RecallNoticeIssued)
  | ({ readonly eventType: 'RecallAcknowledged' } & RecallAcknowledged)
  | ({ readonly eventType: 'RecallProgressReported' } & RecallProgressReported)
  | ({ readonly eventType: 'RecallClosed' } & RecallClosed)
  | ({ readonly eventType: 'EventRetracted' } & EventRetracted)
  | ({ readonly eventType: 'EpcisEventCaptured' } & EpcisEventCaptured);

export const EVENT_TYPES = [
  'BatchProduced',
  'BatchShipped',
  'BatchReceived',
  'InspectionRecorded',
  'DefectReported',
  'RecallInitiated',
  'RecallNoticeIssued',
  'RecallAcknowledged',
  'RecallProgressReported',
  'RecallClosed',
  'EventRetracted',
  'EpcisEventCaptured',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];
