import { UploadStatusLog } from '../../src/uploads/upload-status';

describe('UploadStatusLog', () => {
  it('forgets the oldest ids beyond its bound', () => {
    const log = new UploadStatusLog(3);
    for (const id of ['a', 'b', 'c', 'd'])
      log.set({ status: 'processing', uploadId: id, startedAt: '' });
    expect(log.size).toBe(3);
    expect(log.get('a')).toEqual({ status: 'not_found' });
    expect(log.get('d')).toMatchObject({ status: 'processing' });
  });

  it('keeps an updated id as the newest', () => {
    const log = new UploadStatusLog(2);
    log.set({ status: 'processing', uploadId: 'a', startedAt: '' });
    log.set({ status: 'processing', uploadId: 'b', startedAt: '' });
    log.set({ status: 'completed', uploadId: 'a', startedAt: '', files: [] });
    log.set({ status: 'processing', uploadId: 'c', startedAt: '' });
    expect(log.get('a')).toMatchObject({ status: 'completed' });
    expect(log.get('b')).toEqual({ status: 'not_found' });
  });

  it('answers not_found for anything that is not a string', () => {
    expect(new UploadStatusLog(1).get(42)).toEqual({ status: 'not_found' });
  });
});
