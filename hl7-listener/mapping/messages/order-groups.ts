/**
 * Splits an order or result message into its order groups: an ORC and/or OBR, then what belongs to it (NTE,
 * OBX each with its NTE, SPM) until the next ORC or OBR (v2.5.1 ORM_O01, OML_O21, ORU_R01 structures).
 */
import type { Hl7Message, Segment } from '../../message.ts';

export interface OrderGroup {
  orc?: Segment;
  obr?: Segment;
  /** The order detail of an order without OBR: RQD (requisition) or RXO (pharmacy order), ORM_O01 ORDER_DETAIL. */
  detail?: Segment;
  /** 1-based sequence of the OBR (else the ORC) among segments of its name, for error locations. */
  sequence: number;
  /** Index in message.segments of the OBR (else the ORC): NTE after it are order notes. */
  index: number;
  obx: { segment: Segment; index: number }[];
  spm: Segment[];
}

export function orderGroups(message: Hl7Message): OrderGroup[] {
  const groups: OrderGroup[] = [];
  let current: OrderGroup | undefined;
  let orcCount = 0;
  let obrCount = 0;
  message.segments.forEach((segment, index) => {
    switch (segment.name) {
      case 'ORC':
        orcCount++;
        current = { orc: segment, sequence: orcCount, index, obx: [], spm: [] };
        groups.push(current);
        break;
      case 'OBR':
        obrCount++;
        if (current && !current.obr && current.obx.length === 0) {
          current.obr = segment;
          current.sequence = obrCount;
          current.index = index;
        } else {
          current = { obr: segment, sequence: obrCount, index, obx: [], spm: [] };
          groups.push(current);
        }
        break;
      case 'RQD':
      case 'RXO':
        if (current && !current.obr && !current.detail) current.detail = segment;
        break;
      case 'OBX':
        current?.obx.push({ segment, index });
        break;
      case 'SPM':
        current?.spm.push(segment);
        break;
    }
  });
  return groups;
}
