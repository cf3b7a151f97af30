/**
 * ORU^R01 messages for the HL7 benchmark: one lab result per message, 10 OBX (numeric, with units, reference
 * range and interpretation), for a patient, a visit and an order of its own, so every message creates new
 * resources (Patient, Encounter, ServiceRequest, DiagnosticReport and 10 Observations: 14) rather than
 * updating the same ones. Sender LABSYS^STJOHN, whose assigning authorities fixtures/hl7/senders.json names.
 */

/** LOINC chemistry panel: code, name, unit, low, high. */
const TESTS: [string, string, string, number, number][] = [
  ['2951-2', 'Sodium [Moles/volume] in Serum or Plasma', 'mmol/L', 135, 145],
  ['2823-3', 'Potassium [Moles/volume] in Serum or Plasma', 'mmol/L', 3.5, 5.1],
  ['2075-0', 'Chloride [Moles/volume] in Serum or Plasma', 'mmol/L', 98, 107],
  ['2028-9', 'Carbon dioxide, total [Moles/volume] in Serum or Plasma', 'mmol/L', 22, 29],
  ['3094-0', 'Urea nitrogen [Mass/volume] in Serum or Plasma', 'mg/dL', 7, 20],
  ['2160-0', 'Creatinine [Mass/volume] in Serum or Plasma', 'mg/dL', 0.6, 1.2],
  ['2345-7', 'Glucose [Mass/volume] in Serum or Plasma', 'mg/dL', 70, 99],
  ['17861-6', 'Calcium [Mass/volume] in Serum or Plasma', 'mg/dL', 8.6, 10.3],
  ['2885-2', 'Protein [Mass/volume] in Serum or Plasma', 'g/dL', 6.0, 8.3],
  ['1751-7', 'Albumin [Mass/volume] in Serum or Plasma', 'g/dL', 3.5, 5.0],
];

export const OBX_PER_MESSAGE = TESTS.length;

/** Message `n` of connection `connection` (segments separated by CR; original acknowledgement mode: AA). */
export function oruMessage(run: string, connection: number, n: number): { controlId: string; text: string } {
  const key = `${run}-${connection}-${n}`;
  const controlId = `BENCH-${key}`;
  const when = '20240601083000';
  const obx = TESTS.map(([code, name, unit, low, high], i) => {
    // Deterministic values around the range, a few out of it, so OBX-8 varies.
    const value = Math.round((low + ((n * 7 + i * 13) % 12) * ((high - low) / 10)) * 10) / 10;
    const flag = value < low ? 'L' : value > high ? 'H' : 'N';
    return `OBX|${i + 1}|NM|${code}^${name}^LN||${value}|${unit}^${unit}^UCUM|${low}-${high}|${flag}|||F|||${when}`;
  });
  const segments = [
    `MSH|^~\\&|LABSYS|STJOHN|FHIRLINE|FHIRLINE|${when}||ORU^R01^ORU_R01|${controlId}|P|2.5.1`,
    `PID|1||BP-${key}^^^STJ^MR||Bench^Patient${n}^C${connection}||19750101|F`,
    `PV1|1|O|LAB^1^1^STJOHN||||||||||||||||BV-${key}^^^STJVISIT^VN`,
    `ORC|RE|BO-${key}^STJORD|BF-${key}^STJLAB||CM`,
    `OBR|1|BO-${key}^STJORD|BF-${key}^STJLAB|24323-8^Comprehensive metabolic panel^LN|||20240601070000|||||||20240601071500||||||||${when}|||F`,
    ...obx,
  ];
  return { controlId, text: segments.join('\r') };
}
