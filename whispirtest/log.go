package whispirtest

import (
	"context"
	"log/slog"
	"time"
)

// WithRequestLog logs one line per request to l when its answer is written:
// message "request" at Info level, with method, path (without the query),
// operation (the operation id, or "" when none matched), status (0 when
// the connection was dropped), duration and fault (the injected fault's
// name, FaultNone for none). Secrets, queries and bodies are never logged.
// Requests to the admin API are logged too, with its operation ids
// (adminHealth excepted: health checks would fill the log). A nil l logs
// nothing.
func WithRequestLog(l *slog.Logger) Option {
	return func(s *Server) { s.log = l }
}

// logRequest writes x's line, if the server logs requests.
func (s *Server) logRequest(x *exchange, status int) {
	if s.log == nil {
		return
	}
	op := ""
	if x.route != nil {
		op = x.route.ID
	}
	s.logLine(x.rec.Time, x.r.Method, x.r.URL.Path, op, status, x.fault)
}

func (s *Server) logLine(start time.Time, method, path, op string, status int, fault FaultKind) {
	s.log.LogAttrs(context.Background(), slog.LevelInfo, "request",
		slog.String("method", method),
		slog.String("path", path),
		slog.String("operation", op),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
		slog.String("fault", fault.String()),
	)
}
