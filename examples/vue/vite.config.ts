import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [vue({
    // <im-chat> and the other im-* tags are custom elements, not Vue components.
    template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith('im-') } },
  })],
  // `npm start` in the repository runs the demo server on port 8080: its /demo/token gives demo tokens.
  server: { proxy: { '/demo': 'http://127.0.0.1:8080' } },
});
