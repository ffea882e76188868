import { CodedError } from '@openpacific/contracts';
import { createLogger } from './logger';
import { NestLoggerAdapter } from './nest-logger.adapter';

function capture() {
  const lines: string[] = [];
  return { lines, records: () => lines.map((l) => JSON.parse(l)), sink: (l: string) => lines.push(l) };
}

describe('createLogger', () => {
  it('writes one JSON object per line with time, level, service, instance, msg and fields', () => {
    const out = capture();
    createLogger('scheduler', 'info', 'sched-1', out.sink).info('pod placed', { pod: 'web-1', host: 'h1' });
    expect(out.lines).toHaveLength(1);
    const record = out.records()[0];
    expect(Object.keys(record).slice(0, 5)).toEqual(['time', 'level', 'service', 'instance', 'msg']);
    expect(record).toMatchObject({ level: 'info', service: 'scheduler', instance: 'sched-1', msg: 'pod placed', pod: 'web-1' });
    expect(Number.isNaN(Date.parse(record.time))).toBe(false);
  });

  it('drops records below the configured level', () => {
    const out = capture();
    const logger = createLogger('s', 'warn', 'i', out.sink);
    logger.debug('a');
    logger.info('b');
    logger.warn('c');
    logger.error('d');
    expect(out.records().map((r) => r.msg)).toEqual(['c', 'd']);
  });

  it('gives children the parent fields plus their own', () => {
    const out = capture();
    createLogger('s', 'debug', 'i', out.sink).child({ component: 'nats' }).child({ attempt: 2 }).debug('retry');
    expect(out.records()[0]).toMatchObject({ service: 's', component: 'nats', attempt: 2, msg: 'retry' });
  });

  it('serialises errors with their code and bigints as strings', () => {
    const out = capture();
    const err = new CodedError('EVENTSTORE.VERSION_CONFLICT', 'conflict');
    createLogger('s', 'info', 'i', out.sink).error('append failed', { error: err, position: 12n });
    expect(out.records()[0]).toMatchObject({ error: { code: 'EVENTSTORE.VERSION_CONFLICT', message: 'conflict' }, position: '12' });
  });

  it('still writes the message when a field cannot be serialised', () => {
    const out = capture();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    createLogger('s', 'info', 'i', out.sink).info('odd', { cyclic });
    expect(out.records()[0]).toMatchObject({ msg: 'odd', service: 's' });
  });
});

describe('NestLoggerAdapter', () => {
  it('turns Nest log calls into JSON records keeping the context', () => {
    const out = capture();
    const adapter = new NestLoggerAdapter(createLogger('s', 'debug', 'i', out.sink));
    adapter.log('Nest application successfully started', 'NestApplication');
    adapter.error('boom', 'stack trace', 'ExceptionHandler');
    adapter.verbose('detail');
    expect(out.records()).toEqual([
      expect.objectContaining({ level: 'info', msg: 'Nest application successfully started', context: 'NestApplication' }),
      expect.objectContaining({ level: 'error', msg: 'boom', stack: 'stack trace', context: 'ExceptionHandler' }),
      expect.objectContaining({ level: 'debug', msg: 'detail' }),
    ]);
  });
});
