import type { StorybookConfig } from '@storybook/web-components-vite';

/**
 * Storybook for the im-* elements. Stories live in `stories/` and render the real elements
 * from `src/` on a real ChatSession whose store is filled from `stories/fixtures.ts`: no server.
 *
 * Vite transpiles our TypeScript with esbuild, which reads tsconfig.json for
 * `experimentalDecorators` and `useDefineForClassFields: false` (Lit's legacy decorators).
 */
const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.ts'],
  // Docs: one page per element with its description and every story (from `parameters.docs.description`).
  addons: ['@storybook/addon-docs'],
  staticDirs: [{ from: '../stories/assets', to: '/assets' }],
  framework: { name: '@storybook/web-components-vite', options: {} },
  viteFinal: async (config) => {
    const { mergeConfig } = await import('vite');
    return mergeConfig(config, {
      // Storybook's web-components renderer imports lit/directive-helpers.js, which the dev
      // server would otherwise serve unbundled next to the pre-bundled lit: two lit-html copies
      // ("Multiple versions of Lit loaded").
      optimizeDeps: { include: ['lit/directive-helpers.js'] },
      // The preview's main chunk is Storybook's runtime (about 1 MB): no warning for it.
      build: { chunkSizeWarningLimit: 1600 },
    });
  },
  core: {
    disableTelemetry: true, // no usage reports: this machine has no route out, and each try costs a DNS time-out
    disableWhatsNewNotifications: true, // no fetch of "what's new" data
    enableCrashReports: false,
  },
};
export default config;
