// @ts-check
import path from 'node:path';

/**
 * Server features talk to each other through their front doors: a file in
 * `features/<a>/` may import another feature only as `features/<b>/index.js`, and from the
 * features folder itself only `feature-module.js` (never the list of all features). Imports are
 * resolved against the importing file, so `../chat/service.js` and `../../chat/gateway/hub.js`
 * are caught alike, and a new feature folder is covered without touching this rule.
 *
 * @type {import('eslint').Rule.RuleModule}
 */
const featureImports = {
  meta: {
    type: 'problem',
    docs: { description: "A server feature imports another feature only through that feature's index.ts" },
    schema: [{ type: 'object', properties: { featuresDir: { type: 'string' } }, additionalProperties: false }],
    messages: {
      deep: 'Import the {{target}} feature through its index ("{{suggestion}}"), not its internals.',
      list: 'A feature must not import {{file}} from the features folder: only feature-module.js.',
    },
  },
  create(context) {
    const featuresDir = path.resolve(context.cwd, context.options[0]?.featuresDir ?? 'apps/server/src/features');
    const file = context.filename;
    const own = path.relative(featuresDir, file).split(path.sep);
    // Only files inside a feature's folder are bound; the features folder's own files wire them.
    if (own.length < 2 || own[0] === '..' || path.isAbsolute(own[0] ?? '')) return {};
    const ownFeature = own[0];

    /** @param {import('estree').Node | null | undefined} source */
    const check = (source) => {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const specifier = source.value;
      if (!specifier.startsWith('.')) return;
      const target = path.relative(featuresDir, path.resolve(path.dirname(file), specifier)).split(path.sep);
      if (target[0] === '..' || path.isAbsolute(target[0] ?? '')) return;
      if (target.length === 1) {
        if (target[0] !== 'feature-module.js')
          context.report({ node: source, messageId: 'list', data: { file: target[0] ?? '' } });
        return;
      }
      if (target[0] === ownFeature) return;
      if (target.length === 2 && target[1] === 'index.js') return;
      const suggestion = path
        .relative(path.dirname(file), path.join(featuresDir, target[0] ?? '', 'index.js'))
        .split(path.sep)
        .join('/');
      context.report({ node: source, messageId: 'deep', data: { target: target[0] ?? '', suggestion } });
    };

    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

export default { rules: { 'feature-imports': featureImports } };
