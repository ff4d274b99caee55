// GraphiQL for the Pinhole gateway, bundled with its editor workers so the page never loads anything from outside
// the gateway (the stock Spring page pulls GraphiQL and React from a CDN and stays on "Loading…" offline).
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { exampleTabs } from './examples.js';

// Spring's GraphiQL handler redirects /graphiql to /graphiql?path=<the GraphQL endpoint>.
const endpoint = new URLSearchParams(window.location.search).get('path') || '/graphql';
const fetcher = createGraphiQLFetcher({ url: new URL(endpoint, window.location.href).toString() });

createRoot(document.getElementById('graphiql')).render(
  createElement(GraphiQL, {
    fetcher,
    defaultTabs: exampleTabs,
    // The Authorization header is how a client signs in: keep it visible and editable.
    defaultEditorToolsVisibility: 'headers',
    shouldPersistHeaders: true,
  }),
);
