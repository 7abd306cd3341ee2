// `cem analyze` (run by `npm run build`) writes dist/custom-elements.json from the elements'
// doc comments: attributes, properties, events, slots, parts and CSS custom properties. Storybook
// and scripts/gen-framework-types.mjs (typings for React, Vue and Angular templates) read it.

/**
 * Tags come from the `defineElement('im-chat', ImChat)` calls in src/components/index.ts (the
 * one place that names them); events get their `detail` type from `ImEventDetails`
 * (src/components/internal/im-element.ts); what is not public API is left out.
 */
function imWidget() {
  const tags = new Map(); // class name → tag
  const details = new Map(); // event name → detail type text
  return {
    name: 'im-widget',
    analyzePhase({ ts, node }) {
      if (ts.isCallExpression(node) && node.expression.getText() === 'defineElement') {
        const [tag, element] = node.arguments;
        if (tag && element && ts.isStringLiteral(tag) && ts.isIdentifier(element)) tags.set(element.text, tag.text);
      }
      if (ts.isInterfaceDeclaration(node) && node.name.text === 'ImEventDetails') {
        for (const member of node.members) {
          if (ts.isPropertySignature(member) && member.type) details.set(member.name.getText().replace(/^'|'$/g, ''), member.type.getText());
        }
      }
    },
    packageLinkPhase({ customElementsManifest }) {
      for (const module of customElementsManifest.modules) {
        for (const declaration of module.declarations ?? []) {
          if (declaration.kind !== 'class') continue;
          const tag = tags.get(declaration.name);
          if (tag) {
            declaration.customElement = true;
            declaration.tagName = tag;
            module.exports = [...(module.exports ?? []), { kind: 'custom-element-definition', name: tag, declaration: { name: declaration.name, module: module.path } }];
          } else if (declaration.customElement) {
            // A base class (ImElement): not an element of its own.
            delete declaration.customElement;
          }
          // `emit(name, …)` in the base class is not an event named "name".
          declaration.events = (declaration.events ?? []).filter((event) => event.name?.startsWith('im-'));
          for (const event of declaration.events) {
            const detail = details.get(event.name);
            if (detail) event.type = { text: `CustomEvent<${detail.replace(/\s+/g, ' ')}>` };
          }
          if (declaration.events.length === 0) delete declaration.events;
          declaration.members = (declaration.members ?? []).filter((member) => member.privacy !== 'private' && member.privacy !== 'protected' && !member.static && !member.name.startsWith('#'));
        }
      }
    },
  };
}

export default {
  globs: ['src/components/**/*.ts'],
  outdir: 'dist',
  litelement: true,
  plugins: [imWidget()],
};
