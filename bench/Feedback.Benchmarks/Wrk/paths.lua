-- GET of a list of paths in rotation (BENCH_PATHS: one path a line), e.g. the signed task links staff open from mail.
-- Threads start at different places in the list so they do not ask for the same page at the same time.
dofile(os.getenv("BENCH_WRK_LIB"))

local paths = {}
local next_path = 0

function init(args)
   for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
   next_path = id * math.floor(#paths / 2)
end

function request()
   next_path = next_path + 1
   return wrk.format("GET", paths[next_path % #paths + 1])
end

function response(status, headers, body)
   count(status)
end
