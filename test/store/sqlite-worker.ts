// Run by sqlite.test.ts in several processes at once, as the gateway's workers share the store: hammers one rate
// limit and one quota on the file given, many operations in flight at a time, and prints how many each allowed.
import process from "node:process";
import { SqliteKeyStore } from "../../src/store/sqlite.ts";

const [path, n] = [process.argv.at(-2)!, Number(process.argv.at(-1))];
const store = new SqliteKeyStore({ path, hashKeys: false });
let rate = 0, quota = 0;
const one = async () => {
  const now = Date.now();
  if ((await store.rateLimitHit("rate-limit-k", 100, 60_000, now)).allowed) rate++;
  if ((await store.quotaConsume("quota-k", 100, 3600, now)).allowed) quota++;
};
await Promise.all(Array.from({ length: 20 }, async () => {
  for (let i = 0; i < n / 20; i++) await one();
}));
await store.close();
console.log(JSON.stringify({ rate, quota }));
