import { crashAfterAckHook } from './crash-after-ack';

describe('the relay crash hook for tests', () => {
  it('does not exist without AGREEMENTS_TEST_KILL_AFTER_ACKS', () => {
    expect(crashAfterAckHook({})).toBeUndefined();
    expect(crashAfterAckHook({ AGREEMENTS_TEST_KILL_AFTER_ACKS: '' })).toBeUndefined();
  });

  it('refuses a value that is not a positive integer', () => {
    for (const value of ['0', '-1', '1.5', 'two']) {
      expect(() => crashAfterAckHook({ AGREEMENTS_TEST_KILL_AFTER_ACKS: value })).toThrow('must be a positive integer');
    }
  });

  it('sends SIGKILL to its own process at the N-th acknowledgement, not before', () => {
    const kill = jest.spyOn(process, 'kill').mockImplementation(() => true);
    try {
      const hook = crashAfterAckHook({ AGREEMENTS_TEST_KILL_AFTER_ACKS: '2' })!;
      hook();
      expect(kill).not.toHaveBeenCalled();
      hook();
      expect(kill).toHaveBeenCalledWith(process.pid, 'SIGKILL');
    } finally {
      kill.mockRestore();
    }
  });
});
