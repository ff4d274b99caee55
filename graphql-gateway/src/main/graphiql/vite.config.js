import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Maven passes the output folder (target/classes/pinhole-graphiql); a bare `npm run build` writes to the same place.
const outDir = process.env.GRAPHIQL_OUT_DIR
  ?? fileURLToPath(new URL('../../../target/classes/pinhole-graphiql', import.meta.url));

export default defineConfig({
  // The page is served at /graphiql and its files at /graphiql/assets/… (GraphiqlConfiguration.java).
  base: '/graphiql/',
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // Monaco (GraphiQL's editor) is large by nature; the page is a developer tool, not the app.
    chunkSizeWarningLimit: 8000,
    rolldownOptions: {
      onwarn(warning, warn) {
        // framer-motion's "use client" directives mean nothing in a plain browser bundle.
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
