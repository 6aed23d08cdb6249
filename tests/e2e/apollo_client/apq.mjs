// Apollo Client with its persisted-query link, unchanged, against a running Veneer.
//
// stdin: {"uri": ..., "headers": {...}, "query": QUERY, "variables": {...}, "times": n}
// stdout: {"results": [data, ...], "requests": [{"method", "sentText", "status"}, ...]}
import { createHash } from "node:crypto";

import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const requests = [];
async function loggingFetch(url, options) {
  const response = await fetch(url, options);
  const sent = options.method === "GET" ? new URL(url).searchParams.get("query") : JSON.parse(options.body).query;
  requests.push({ method: options.method, sentText: Boolean(sent), status: response.status });
  return response;
}

const link = createPersistedQueryLink({
  sha256: (text) => createHash("sha256").update(text).digest("hex"),
  useGETForHashedQueries: true,
}).concat(new HttpLink({ uri: input.uri, headers: input.headers, fetch: loggingFetch }));

const results = [];
for (let i = 0; i < (input.times ?? 1); i++) {
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  const { data } = await client.query({
    query: gql(input.query),
    variables: input.variables ?? {},
    fetchPolicy: "network-only",
  });
  results.push(data);
}
process.stdout.write(JSON.stringify({ results, requests }) + "\n");
