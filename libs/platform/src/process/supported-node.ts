/**
 * The oldest Node.js versions this product runs on. @fastify/static (which serves /docs) requires
 * content-disposition 3, an ES module, with `require()`: Node loads ES modules that way without a
 * flag from 20.19 and 22.12. package.json `engines` says the same.
 */
export const SUPPORTED_NODE = '^20.19.0 || >=22.12.0';

/** Why this Node.js cannot run the product, or undefined when it can. */
export function unsupportedNodeReason(version: string = process.versions.node): string | undefined {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  const supported = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22;
  if (supported) return undefined;
  return (
    `Node.js ${version} is not supported: agreements needs Node.js 20.19 or later in the 20 line, or 22.12 or later ` +
    `(${SUPPORTED_NODE}), which load ES modules with require(). Install a newer Node.js.`
  );
}
