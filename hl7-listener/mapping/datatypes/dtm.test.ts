import assert from 'node:assert/strict';
import { dtToDate, dtmToDateTime } from './dtm.ts';
import { MappingError } from '../errors.ts';

const at = { segment: 'PID', sequence: 1, field: 7 };

describe('DTM -> dateTime (IG datatype map DTM; R4 datatypes.html#dateTime)', () => {
  it('keeps the precision of year, month and day values', () => {
    assert.equal(dtmToDateTime('2024', 'UTC', at), '2024');
    assert.equal(dtmToDateTime('202403', 'UTC', at), '2024-03');
    assert.equal(dtmToDateTime('20240305', 'UTC', at), '2024-03-05');
  });
  it('keeps the offset the message gives, and fractions of seconds', () => {
    assert.equal(dtmToDateTime('20240305143015.1234-0500', 'Europe/Paris', at), '2024-03-05T14:30:15.1234-05:00');
    assert.equal(dtmToDateTime('20240305143015+0530', 'UTC', at), '2024-03-05T14:30:15+05:30');
  });
  it('completes HH and HHMM with zeros (R4 times have seconds)', () => {
    assert.equal(dtmToDateTime('2024030514+0000', 'UTC', at), '2024-03-05T14:00:00+00:00');
    assert.equal(dtmToDateTime('202403051430+0100', 'UTC', at), '2024-03-05T14:30:00+01:00');
  });
  it("uses the sender's time zone, with daylight saving time, when the value has no offset", () => {
    assert.equal(dtmToDateTime('20240115083000', 'Europe/Paris', at), '2024-01-15T08:30:00+01:00');
    assert.equal(dtmToDateTime('20240715083000', 'Europe/Paris', at), '2024-07-15T08:30:00+02:00');
    assert.equal(dtmToDateTime('20240715083000', 'America/New_York', at), '2024-07-15T08:30:00-04:00');
  });
  it('gives each time around a daylight saving change the offset in force then (offsets are cached per hour)', () => {
    assert.equal(dtmToDateTime('20240331015959', 'Europe/Paris', at), '2024-03-31T01:59:59+01:00');
    assert.equal(dtmToDateTime('20240331030000', 'Europe/Paris', at), '2024-03-31T03:00:00+02:00');
    assert.equal(dtmToDateTime('20241027030000', 'Europe/Paris', at), '2024-10-27T03:00:00+01:00');
    // Lord Howe changes by 30 minutes at 15:30 UTC: the same UTC hour has two offsets.
    assert.equal(dtmToDateTime('20241006014500', 'Australia/Lord_Howe', at), '2024-10-06T01:45:00+10:30');
    assert.equal(dtmToDateTime('20241006024500', 'Australia/Lord_Howe', at), '2024-10-06T02:45:00+11:00');
    assert.equal(dtmToDateTime('20240407014500', 'Australia/Lord_Howe', at), '2024-04-07T01:45:00+10:30');
  });
  it('rejects impossible values as a data type error (0357 code 102) at the location', () => {
    for (const bad of ['20240230', '2024131', '20241301', '20240305250000', 'yesterday']) {
      assert.throws(
        () => dtmToDateTime(bad, 'UTC', at),
        (e: MappingError) => e.code === '102' && e.location?.field === 7,
        bad,
      );
    }
  });
  it('DT keeps the date part only', () => {
    assert.equal(dtToDate('19800214', at), '1980-02-14');
    assert.equal(dtToDate('198002141200-0500', at), '1980-02-14');
  });
});
