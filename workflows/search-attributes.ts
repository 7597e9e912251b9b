import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SA_ASSET = defineSearchAttributeKey('Asset', SearchAttributeType.KEYWORD);
export const SA_VENUE = defineSearchAttributeKey('Venue', SearchAttributeType.KEYWORD);
export const SA_OPERATION = defineSearchAttributeKey('Operation', SearchAttributeType.KEYWORD);
/** For search and dashboards only; amounts of record stay decimal strings in payloads. */
export const SA_AMOUNT_USD = defineSearchAttributeKey('AmountUsd', SearchAttributeType.DOUBLE);
export const SA_REQUESTER = defineSearchAttributeKey('Requester', SearchAttributeType.KEYWORD);
