import { describe, expect, it } from 'vitest';
import { isControlMessage, isStageReport } from '../../../core/stage-protocol.ts';

describe('the stage protocol', () => {
  it('takes the control messages there are and nothing else', () => {
    for (const message of [
      { type: 'pause' },
      { type: 'resume' },
      { type: 'stop' },
      { type: 'rate', ratePerSecond: 5 },
    ])
      expect(isControlMessage(message), JSON.stringify(message)).toBe(true);
    for (const message of [
      null,
      'pause',
      { type: 'rate' },
      { type: 'rate', ratePerSecond: '5' },
      { type: 'reboot' },
    ])
      expect(isControlMessage(message), JSON.stringify(message)).toBe(false);
  });

  it('takes a producer summary only whole: counts per kind and the fraud count, as numbers', () => {
    expect(
      isStageReport({ type: 'summary', summary: { produced: { transaction: 7 }, fraudTransactions: 1 } }),
    ).toBe(true);
    for (const message of [
      { type: 'summary' },
      { type: 'summary', summary: { produced: { transaction: '7' }, fraudTransactions: 1 } },
      { type: 'summary', summary: { produced: null, fraudTransactions: 1 } },
      { type: 'summary', summary: { produced: {} } },
      { type: 'pause' },
    ])
      expect(isStageReport(message), JSON.stringify(message)).toBe(false);
  });
});
