-- wrk script of bench/checkout_bench.py: guest checkouts through POST /api/v1/orders.
--
-- Run with one connection per wrk thread (wrk -tN -cN): thread i is buyer i and always checks
-- out entry i (modulo) of CHECKOUT_VARIANTS, a comma-separated list of variant ids, so fifty
-- ids give fifty buyers fifty different variants and one id puts every buyer on the same one.
-- Every request is a new guest (own email, own Idempotency-Key) buying one unit.
-- done() prints one CHECKOUT_RESULT line that the Python side reads.

local variant_ids = {}
for variant_id in string.gmatch(os.getenv("CHECKOUT_VARIANTS") or "", "%d+") do
  table.insert(variant_ids, variant_id)
end
local run = os.getenv("CHECKOUT_RUN") or "run"
local address = '{"recipient_name":"Maya Lestari","phone":"081234567890",'
  .. '"street":"Jl. Pemuda No. 10","city":"Kota Jakarta Timur","province":"DKI Jakarta",'
  .. '"postal_code":"13220","country":"ID"}'

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  created, out_of_stock, other_4xx, server_errors, sent = 0, 0, 0, 0, 0
  variant = variant_ids[(id - 1) % #variant_ids + 1]
end

function request()
  sent = sent + 1
  local key = string.format("bench-%s-%d-%d", run, id, sent)
  local body = string.format(
    '{"email":"%s@bench.test","items":[{"variant_id":%s,"quantity":1}],"shipping_address":%s}',
    key, variant, address)
  return wrk.format("POST", "/api/v1/orders",
    {["Content-Type"] = "application/json", ["Idempotency-Key"] = key}, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status == 409 then
    out_of_stock = out_of_stock + 1
  elseif status >= 500 then
    server_errors = server_errors + 1
  else
    other_4xx = other_4xx + 1
  end
end

function done(summary, latency, requests)
  local totals = {created = 0, out_of_stock = 0, other_4xx = 0, server_errors = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + thread:get(name)
    end
  end
  local socket_errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    "CHECKOUT_RESULT created=%d out_of_stock=%d other_4xx=%d server_errors=%d socket_errors=%d "
    .. "requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d\n",
    totals.created, totals.out_of_stock, totals.other_4xx, totals.server_errors, socket_errors,
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max))
end
