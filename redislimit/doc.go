// Package redislimit shares one Whispir API key's quota among many
// processes through Redis: several instances of a service, or a pool of
// workers draining a queue, that send with the same key.
//
// Whispir's quota belongs to the key: 5, 10 or 30 requests a second and
// 10,000 to 50,000 a day, depending on the edition. api.WithRateLimit paces
// one process; three processes each at 10 a second send 30 a second
// together and collect ERR_403_DEVELOPER_OVER_QPS rejections. A [Limiter]
// keeps the rate in Redis instead, as a GCRA (generic cell rate algorithm)
// from github.com/go-redis/redis_rate, so that every process using the same
// Redis, API key and prefix draws from one bucket:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis.internal:6379"})
//	lim, err := redislimit.New(rdb, apiKey, 10, 2, // Business edition: 10 a second, bursts of 2
//		redislimit.WithDailyBudget(redislimit.DailyBudget{Limit: 20000}),
//		redislimit.WithFallback(0.25)) // four processes: each takes a quarter when Redis is down
//	if err != nil { ... }
//	c, err := api.New(provider, api.WithLimiter(lim))
//
// In any one second the processes together send at most the rate plus the
// burst. Every attempt takes a token, retries included, as the gateway
// counts them too.
//
// # Daily budget
//
// [WithDailyBudget] also counts every request against a daily budget kept
// in Redis. Once it is spent, Wait fails at once and the client's calls fail
// without being sent, with an *api.Error whose Code is api.CodeOverQPD
// (errors.Is(err, api.ErrRateLimited) holds; StatusCode is 0, since no
// answer was received), until the budget's reset time. Whispir does not
// publish when its day starts: set [DailyBudget]'s reset time and time zone
// to your account's (midnight UTC by default). [Limiter.Budget] reads what
// is used and what is left, for metrics.
//
// # Keys in Redis
//
// Keys hold no secret: the API key is only hashed into them (the first 16
// hex digits of its SHA-256). With the default prefix "whispir" they are
//
//	rate:whispir:<hash>:qps          the GCRA state (redis_rate adds "rate:"); expires when the bucket is full again
//	whispir:<hash>:qpd:<YYYY-MM-DD>  the day's count, named after the day the budget period starts;
//	                                 expires an hour after the period ends
//
// [WithPrefix] changes "whispir", e.g. to keep two environments apart on
// one Redis.
//
// # When Redis is unreachable
//
// The choice is yours. By default the limiter fails closed: Wait returns an
// error wrapping [ErrUnavailable] and Redis's own error, and the client's
// call fails with api.ErrLimiterWait without sending anything. With
// [WithFallback] each process paces itself instead with a local token
// bucket at its share of the rate and burst, so N processes with a share
// of 1/N stay within the quota together; requests let through meanwhile
// are added to the daily count when Redis is back. After a failure the
// limiter leaves Redis alone for [WithRecheck]'s interval (1 s by default),
// so calls do not each wait for Redis's timeouts, then one call asks it
// again. Configure the go-redis client's own timeouts and retries
// (DialTimeout, ReadTimeout, MaxRetries) for how long one attempt may take.
//
// # Errors
//
// Wait returns: ctx.Err() when the context ends; an error wrapping
// context.DeadlineExceeded, at once, when Redis says the next token comes
// after the context's deadline; one wrapping api.ErrDailyQuotaSpent when
// the daily budget is spent; and one wrapping ErrUnavailable when Redis
// cannot be reached and the limiter fails closed. Options check their
// input: New returns errors wrapping api.ErrInvalidOption.
package redislimit
