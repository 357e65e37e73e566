-- wrk script: each connection waits between its requests so that all of them together send
-- about RATE requests a second (Debian's wrk has no fixed-rate mode). The cookie and the path
-- come from the environment.
local rate = tonumber(os.getenv("RATE") or "1000")
local conns = tonumber(os.getenv("CONNS") or "20")
local cookie = os.getenv("COOKIE") or ""

function request()
    return wrk.format("GET", nil, { ["Cookie"] = cookie })
end

function delay()
    return conns * 1000 / rate
end
