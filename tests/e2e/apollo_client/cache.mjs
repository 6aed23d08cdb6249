// Writes Veneer's answers into Apollo Client's InMemoryCache, then reads queries back.
//
// stdin: {"possibleTypes": {...}, "typePolicies": {...},
//         "steps": [{"write": QUERY, "variables": {...}, "data": {...}},
//                   {"read": QUERY, "variables": {...}}]}
// stdout: {"reads": [{"complete": bool, "data": ..., "missing": [...]}], "records": {...}}
import { InMemoryCache, gql } from "@apollo/client";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const cache = new InMemoryCache({
  possibleTypes: input.possibleTypes ?? {},
  typePolicies: input.typePolicies ?? {},
});
const reads = [];
for (const step of input.steps) {
  const variables = step.variables ?? {};
  if ("write" in step) {
    const query = gql(step.write);
    const mutation = query.definitions.some((d) => d.operation === "mutation");
    cache.write({
      query,
      variables,
      result: step.data,
      dataId: mutation ? "ROOT_MUTATION" : "ROOT_QUERY",
    });
  } else {
    const diff = cache.diff({
      query: gql(step.read),
      variables,
      returnPartialData: true,
      optimistic: false,
    });
    const missing = [diff.missing ?? []].flat().map((m) => m.message);  // one error in v4
    reads.push({ complete: diff.complete, data: diff.result ?? null, missing });
  }
}
process.stdout.write(JSON.stringify({ reads, records: cache.extract() }));
