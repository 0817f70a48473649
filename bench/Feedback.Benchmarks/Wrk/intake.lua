-- POST /api/feedback as a customer's web form sends it: a realistic body and an Idempotency-Key of its own per request.
-- BENCH_BODIES: one JSON body per line with __KEY__ where the request's key goes (name, e-mail);
-- BENCH_RUN: a prefix unique to this run; BENCH_OUT: folder for created-<thread>.txt, the case numbers answered 201.
dofile(os.getenv("BENCH_WRK_LIB"))

local bodies = {}
local sent = 0
local run = os.getenv("BENCH_RUN")
local created

function init(args)
   for line in io.lines(os.getenv("BENCH_BODIES")) do bodies[#bodies + 1] = line end
   created = assert(io.open(os.getenv("BENCH_OUT") .. "/created-" .. id .. ".txt", "w"))
   -- Line-buffered: wrk never closes a thread's state, so buffered numbers would be lost at exit.
   created:setvbuf("line")
end

function request()
   sent = sent + 1
   local key = run .. "-" .. id .. "-" .. sent
   local body = (bodies[(sent + id * 101) % #bodies + 1]:gsub("__KEY__", key))
   return wrk.format("POST", "/api/feedback", { ["Content-Type"] = "application/json", ["Idempotency-Key"] = key }, body)
end

function response(status, headers, body)
   count(status)
   if status == 201 then
      created:write(body:match('"number"%s*:%s*"([^"]+)"') or "?", "\n")
   end
end
