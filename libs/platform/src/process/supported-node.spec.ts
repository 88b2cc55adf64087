import { unsupportedNodeReason } from './supported-node';

describe('the Node.js versions the product starts on', () => {
  it.each(['20.19.0', '20.20.2', 'v22.12.0', '22.20.1', '24.1.0'])('accepts %s, which loads ES modules with require()', (version) => {
    expect(unsupportedNodeReason(version)).toBeUndefined();
  });

  it.each(['18.20.4', '20.18.3', '21.7.3', '22.11.0'])('refuses %s with a message naming the versions that work', (version) => {
    expect(unsupportedNodeReason(version)).toContain(`Node.js ${version} is not supported`);
    expect(unsupportedNodeReason(version)).toContain('20.19');
    expect(unsupportedNodeReason(version)).toContain('22.12');
  });
});
