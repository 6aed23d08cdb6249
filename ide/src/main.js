/*
 * GraphiQL on Veneer's /graphql, bundled with everything it needs so that it runs offline and
 * under a strict Content-Security-Policy (no inline script: this file reads its settings from
 * the page's JSON block instead).
 */
import { explorerPlugin } from "@graphiql/plugin-explorer";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { setNonce } from "get-nonce";
import { GraphiQL } from "graphiql";
import { createElement } from "react";
import { createRoot } from "react-dom/client";

import "graphiql/graphiql.css";
import "@graphiql/plugin-explorer/dist/style.css";
import "./page.css";

/** What the server decided for this page: the first query and headers a new visitor sees. */
const config = JSON.parse(document.getElementById("veneer-graphiql-config").textContent);

// The one <style> element GraphiQL adds (its dialogs lock scrolling with it) carries the nonce
// the page's Content-Security-Policy allows; every other style comes from the stylesheet.
setNonce(config.styleNonce);

// The page is served at the endpoint itself, so its own path is the endpoint, behind any proxy.
const fetcher = createGraphiQLFetcher({ url: window.location.pathname });
const plugins = [explorerPlugin()];

createRoot(document.getElementById("graphiql")).render(
  createElement(GraphiQL, {
    fetcher,
    plugins,
    defaultQuery: config.defaultQuery,
    // Only a first visit sees these; what the visitor types in the headers tab is kept instead.
    defaultHeaders: config.defaultHeaders,
    shouldPersistHeaders: true,
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: "headers", // Veneer answers nothing without a key
    inputValueDeprecation: true,
  }),
);
