import { defineConfig } from 'vite';

// JSX: Vite compiles it as tsconfig.json says ("jsx": "react-jsx", React's automatic runtime), so a
// build needs no React plugin (@vitejs/plugin-react adds Fast Refresh during development).
export default defineConfig({
  // `npm start` in the repository runs the demo server on port 8080: its /demo/token gives demo tokens.
  server: { proxy: { '/demo': 'http://127.0.0.1:8080' } },
});
